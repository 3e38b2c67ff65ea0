package io.speculum.gateway.web;

import io.speculum.gateway.openai.ApiException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** Writes an {@link ApiException} as the response from a filter (before any controller runs). */
@Component
class ErrorWriter {

    private final JsonMapper json;

    ErrorWriter(JsonMapper json) {
        this.json = json;
    }

    Mono<Void> write(ServerWebExchange exchange, ApiException error) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(error.status());
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        if (error.retryAfter() != null) {
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, error.retryAfterSeconds());
        }
        DataBuffer buffer = response.bufferFactory().wrap(json.writeValueAsBytes(error.body()));
        return response.writeWith(Mono.just(buffer));
    }
}
