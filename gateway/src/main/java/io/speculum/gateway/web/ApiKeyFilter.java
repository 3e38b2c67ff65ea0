package io.speculum.gateway.web;

import io.speculum.gateway.GatewayProperties;
import io.speculum.gateway.openai.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Bearer authentication on every {@code /v1} route and the tokenizer routes ({@code /tokenize}, {@code /detokenize}):
 * 401 with OpenAI's error JSON unless the key is configured.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class ApiKeyFilter implements WebFilter {

    static final String KEY_ID = ApiKeyFilter.class.getName() + ".keyId";
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyFilter.class);
    private static final String BEARER = "Bearer ";

    private final ApiKeys keys;
    private final ErrorWriter errors;

    ApiKeyFilter(GatewayProperties properties, ErrorWriter errors) {
        this.keys = new ApiKeys(properties.apiKeys());
        this.errors = errors;
        if (keys.isEmpty()) {
            LOG.warn("No API keys configured (speculum.gateway.api-keys): every /v1 request is refused with 401");
        }
    }

    /** The authenticated key's id for this exchange. */
    static String keyId(ServerWebExchange exchange) {
        return exchange.getRequiredAttribute(KEY_ID);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!path.startsWith("/v1/") && !path.equals("/v1") && !TokenizerController.ROUTES.contains(path)) {
            return chain.filter(exchange);
        }
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return errors.write(exchange, ApiException.unauthorized(
                    "You didn't provide an API key: send it as 'Authorization: Bearer <key>'"));
        }
        String id = keys.identify(header.substring(BEARER.length()).strip());
        if (id == null) {
            return errors.write(exchange, ApiException.unauthorized("Incorrect API key provided"));
        }
        exchange.getAttributes().put(KEY_ID, id);
        return chain.filter(exchange);
    }
}
