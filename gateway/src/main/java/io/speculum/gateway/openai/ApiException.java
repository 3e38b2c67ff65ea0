package io.speculum.gateway.openai;

import io.speculum.protocol.GenerationEvent;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/**
 * An error answered the OpenAI way: an HTTP status and {@code {"error": {message, type, param, code}}}, with
 * {@code Retry-After} when waiting helps.
 */
public final class ApiException extends RuntimeException {

    /** {@code Retry-After} of a refusal that a moment's wait may cure (a full bulkhead, a time limit, a busy backend). */
    public static final Duration BUSY_RETRY = Duration.ofSeconds(1);

    private final HttpStatus status;
    private final String type;
    private final String param;
    private final String code;
    private final Duration retryAfter;

    public ApiException(HttpStatus status, String type, String param, String code, String message, Duration retryAfter) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public static ApiException invalid(String param, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", param, "invalid_value", message, null);
    }

    public static ApiException invalid(String param, String code, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", param, code, message, null);
    }

    public static ApiException unsupported(String param, String message) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "invalid_request_error", param, "unsupported_value", message, null);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(HttpStatus.UNAUTHORIZED, "authentication_error", null, "invalid_api_key", message, null);
    }

    public static ApiException unknownModel(String model) {
        return new ApiException(HttpStatus.NOT_FOUND, "invalid_request_error", "model", "model_not_found",
                "The model '" + model + "' does not exist", null);
    }

    public static ApiException tooLarge(long limitBytes) {
        return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "invalid_request_error", null, "request_too_large",
                "The request body exceeds " + limitBytes + " bytes", null);
    }

    public static ApiException rateLimited(Duration retryAfter) {
        return new ApiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error", null, "rate_limit_exceeded",
                "Rate limit reached for this API key; retry after " + seconds(retryAfter) + " s", retryAfter);
    }

    public static ApiException unavailable(String code, String message, Duration retryAfter) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "service_unavailable_error", null, code, message, retryAfter);
    }

    public static ApiException internal(String message) {
        return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", null, "internal_error", message, null);
    }

    /**
     * A protocol error event as the HTTP error a client should see.
     *
     * @param promptParam the request's parameter a too-long prompt is reported on ({@code prompt}, {@code messages})
     */
    public static ApiException fromErrorEvent(GenerationEvent.Error error, String promptParam) {
        return switch (error.code()) {
            case INVALID_REQUEST -> invalid(null, error.message());
            case PROMPT_TOO_LONG -> invalid(promptParam, "context_length_exceeded", error.message());
            case UNKNOWN_MODEL -> new ApiException(HttpStatus.NOT_FOUND, "invalid_request_error", "model", "model_not_found",
                    error.message(), null);
            case OVERLOADED -> unavailable("overloaded", error.message(), BUSY_RETRY);
            case DEADLINE_EXCEEDED -> unavailable("timeout", error.message(), BUSY_RETRY);
            // another party cancelled the request (this gateway no longer waits for those it cancels itself)
            case CANCELLED -> unavailable("cancelled", error.message(), BUSY_RETRY);
            case VOCABULARY_MISMATCH, DRAFTER_FAILED, STATE_NEEDED, INTERNAL -> internal(error.code() + ": " + error.message());
        };
    }

    public HttpStatus status() {
        return status;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /** {@code Retry-After} in whole seconds, at least 1. */
    public String retryAfterSeconds() {
        return retryAfter == null ? null : Long.toString(seconds(retryAfter));
    }

    public ErrorBody body() {
        return new ErrorBody(new ErrorBody.Detail(getMessage(), type, param, code));
    }

    private static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }

    /** OpenAI's error shape. */
    public record ErrorBody(Detail error) {
        public record Detail(String message, String type, String param, String code) {
        }
    }
}
