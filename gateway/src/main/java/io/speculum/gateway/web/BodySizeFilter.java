package io.speculum.gateway.web;

import io.speculum.gateway.GatewayProperties;
import io.speculum.gateway.openai.ApiException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * 413 for a declared body larger than {@code speculum.gateway.max-body-size}, before it is read. Bodies without a
 * length (chunked) are bounded by the codecs' in-memory limit (the same size), which answers 413 as well.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class BodySizeFilter implements WebFilter {

    private final long limit;
    private final ErrorWriter errors;

    BodySizeFilter(GatewayProperties properties, ErrorWriter errors) {
        this.limit = properties.maxBodySize().toBytes();
        this.errors = errors;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (exchange.getRequest().getHeaders().getContentLength() > limit) {
            return errors.write(exchange, ApiException.tooLarge(limit));
        }
        return chain.filter(exchange);
    }
}
