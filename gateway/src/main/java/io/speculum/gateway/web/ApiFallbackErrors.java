package io.speculum.gateway.web;

import io.speculum.gateway.openai.ApiException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * The refusals no controller sees, on the API's routes: an unknown route, a method or media type the route does not
 * take, an unacceptable {@code Accept} (raised while the request is matched to a controller, so
 * {@link ApiErrorHandler} never sees them). Written as OpenAI's error JSON like every other API error, instead of
 * Spring's default error body; other paths keep the default.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 30)
class ApiFallbackErrors implements WebExceptionHandler {

    private final ErrorWriter errors;

    ApiFallbackErrors(ErrorWriter errors) {
        this.errors = errors;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!(failure instanceof ResponseStatusException status) || !path.startsWith("/v1") || exchange.getResponse().isCommitted()) {
            return Mono.error(failure);
        }
        return errors.write(exchange, apiError(status.getStatusCode(), status.getReason()));
    }

    private static ApiException apiError(HttpStatusCode status, String reason) {
        HttpStatus known = HttpStatus.resolve(status.value());
        String code = switch (known == null ? HttpStatus.BAD_REQUEST : known) {
            case NOT_FOUND -> "unknown_url";
            case METHOD_NOT_ALLOWED -> "method_not_allowed";
            case UNSUPPORTED_MEDIA_TYPE -> "unsupported_media_type";
            case NOT_ACCEPTABLE -> "not_acceptable";
            default -> status.is5xxServerError() ? "internal_error" : "invalid_request";
        };
        String message = switch (code) {
            case "unknown_url" -> "Unknown API route: see /openapi for the routes this gateway serves";
            case "unsupported_media_type" -> "Send the body as application/json";
            default -> reason == null ? (known == null ? status.toString() : known.getReasonPhrase()) : reason;
        };
        String type = status.is5xxServerError() ? "server_error" : "invalid_request_error";
        return new ApiException(known == null ? HttpStatus.BAD_REQUEST : known, type, null, code, message, null);
    }
}
