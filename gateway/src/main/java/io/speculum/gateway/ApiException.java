package io.speculum.gateway;

import java.time.Duration;
import org.springframework.http.HttpStatus;

/**
 * An error answered the OpenAI way: an HTTP status and {@code {"error": {message, type, param, code}}}, with
 * {@code Retry-After} when waiting helps.
 */
final class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String param;
    private final String code;
    private final Duration retryAfter;

    ApiException(HttpStatus status, String type, String param, String code, String message, Duration retryAfter) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    static ApiException invalid(String param, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", param, "invalid_value", message, null);
    }

    static ApiException invalid(String param, String code, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", param, code, message, null);
    }

    static ApiException unsupported(String param, String message) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "invalid_request_error", param, "unsupported_value", message, null);
    }

    static ApiException unauthorized(String message) {
        return new ApiException(HttpStatus.UNAUTHORIZED, "authentication_error", null, "invalid_api_key", message, null);
    }

    static ApiException unknownModel(String model) {
        return new ApiException(HttpStatus.NOT_FOUND, "invalid_request_error", "model", "model_not_found",
                "The model '" + model + "' does not exist", null);
    }

    static ApiException tooLarge(long limitBytes) {
        return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "invalid_request_error", null, "request_too_large",
                "The request body exceeds " + limitBytes + " bytes", null);
    }

    static ApiException rateLimited(Duration retryAfter) {
        return new ApiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error", null, "rate_limit_exceeded",
                "Rate limit reached for this API key; retry after " + seconds(retryAfter) + " s", retryAfter);
    }

    static ApiException unavailable(String code, String message, Duration retryAfter) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "service_unavailable_error", null, code, message, retryAfter);
    }

    static ApiException internal(String message) {
        return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", null, "internal_error", message, null);
    }

    HttpStatus status() {
        return status;
    }

    Duration retryAfter() {
        return retryAfter;
    }

    /** {@code Retry-After} in whole seconds, at least 1. */
    String retryAfterSeconds() {
        return retryAfter == null ? null : Long.toString(seconds(retryAfter));
    }

    ErrorBody body() {
        return new ErrorBody(new ErrorBody.Detail(getMessage(), type, param, code));
    }

    private static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }

    /** OpenAI's error shape. */
    record ErrorBody(Detail error) {
        record Detail(String message, String type, String param, String code) {
        }
    }
}
