package io.speculum.gateway.web;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.speculum.gateway.openai.ApiException;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Each API key's Resilience4j rate limiter (config {@code per-api-key}), charged once per request on every keyed
 * route: 429 with {@code Retry-After} when the key has none left.
 */
@Component
class ApiKeyRateLimits {

    private static final String RATE_LIMIT_CONFIG = "per-api-key";

    private final RateLimiterRegistry rateLimiters;

    ApiKeyRateLimits(RateLimiterRegistry rateLimiters) {
        this.rateLimiters = rateLimiters;
    }

    /** Charges one request to the key's rate limiter, or throws the 429 that says how long to wait. */
    void charge(String apiKeyId) {
        RateLimiter limiter = rateLimiters.rateLimiter("api-key-" + apiKeyId, RATE_LIMIT_CONFIG);
        if (!limiter.acquirePermission()) {
            Duration wait = limiter instanceof AtomicRateLimiter atomic
                    ? Duration.ofNanos(Math.max(0, atomic.getDetailedMetrics().getNanosToWait()))
                    : limiter.getRateLimiterConfig().getLimitRefreshPeriod();
            throw ApiException.rateLimited(wait);
        }
    }
}
