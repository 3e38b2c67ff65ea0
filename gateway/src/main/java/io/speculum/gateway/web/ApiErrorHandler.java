package io.speculum.gateway.web;

import io.speculum.gateway.GatewayProperties;
import io.speculum.gateway.openai.ApiException;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

/** Every failure of an API route as OpenAI's error JSON with its status (and Retry-After where waiting helps). */
@RestControllerAdvice
class ApiErrorHandler {

    private final long maxBodyBytes;

    ApiErrorHandler(GatewayProperties properties) {
        this.maxBodyBytes = properties.maxBodySize().toBytes();
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ApiException.ErrorBody> api(ApiException e) {
        return respond(e);
    }

    @ExceptionHandler(ServerWebInputException.class)
    ResponseEntity<ApiException.ErrorBody> input(ServerWebInputException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataBufferLimitException) {
                return respond(ApiException.tooLarge(maxBodyBytes));
            }
            if (cause instanceof ApiException api) {
                return respond(api);
            }
        }
        String detail = e.getCause() instanceof DecodingException decoding && decoding.getMessage() != null
                ? decoding.getMessage() : e.getReason();
        return respond(ApiException.invalid(null, "invalid_json", "We could not parse the JSON body of your request: " + detail));
    }

    @ExceptionHandler(UnsupportedMediaTypeStatusException.class)
    ResponseEntity<ApiException.ErrorBody> mediaType(UnsupportedMediaTypeStatusException e) {
        return respond(new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "invalid_request_error", null, "unsupported_media_type",
                "Send the body as application/json", null));
    }

    static ResponseEntity<ApiException.ErrorBody> respond(ApiException e) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_JSON);
        if (e.retryAfter() != null) {
            response.header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds());
        }
        return response.body(e.body());
    }
}
