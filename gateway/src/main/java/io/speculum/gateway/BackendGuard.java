package io.speculum.gateway;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.timelimiter.TimeLimiter;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The completion routes' Resilience4j conventions for a one-reply backend (detector, cascade router): a bulkhead
 * without waiting (503 {@code overloaded}), the time limiter (503 {@code timeout}; the deadline travels with the
 * request), a circuit breaker over the Kafka path (503 {@code backend_unavailable} while open), each with
 * {@code Retry-After}.
 */
final class BackendGuard {

    private static final Logger LOG = LoggerFactory.getLogger(BackendGuard.class);
    static final Duration BUSY_RETRY = Duration.ofSeconds(1);

    private final String what;
    private final Bulkhead bulkhead;
    private final CircuitBreaker circuitBreaker;
    private final TimeLimiter timeLimiter;

    /** @param what the backend in error messages, e.g. "the detector" */
    BackendGuard(String what, Bulkhead bulkhead, CircuitBreaker circuitBreaker, TimeLimiter timeLimiter) {
        this.what = what;
        this.bulkhead = bulkhead;
        this.circuitBreaker = circuitBreaker;
        this.timeLimiter = timeLimiter;
    }

    Duration limit() {
        return timeLimiter.getTimeLimiterConfig().getTimeoutDuration();
    }

    /** Runs the call (given its deadline, epoch millis) once the bulkhead admits it. */
    <T> Mono<T> run(LongFunction<Mono<T>> call) {
        return Mono.defer(() -> {
            if (!bulkhead.tryAcquirePermission()) {
                return Mono.error(ApiException.unavailable("overloaded", "This gateway runs "
                        + bulkhead.getBulkheadConfig().getMaxConcurrentCalls() + " such requests at once; retry shortly", BUSY_RETRY));
            }
            long deadline = System.currentTimeMillis() + limit().toMillis();
            return Mono.defer(() -> call.apply(deadline))
                    .transformDeferred(TimeLimiterOperator.of(timeLimiter))
                    .transformDeferred(CircuitBreakerOperator.of(circuitBreaker))
                    .onErrorMap(failure -> !(failure instanceof ApiException), this::unavailable)
                    .doFinally(signal -> bulkhead.onComplete());
        });
    }

    private ApiException unavailable(Throwable failure) {
        if (failure instanceof CallNotPermittedException) {
            long waitMillis = circuitBreaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1);
            return ApiException.unavailable("backend_unavailable",
                    what + " has stopped answering; requests are refused for a while", Duration.ofMillis(waitMillis));
        }
        if (failure instanceof TimeoutException) {
            return ApiException.unavailable("timeout", "No answer from " + what + " within " + limit().toMillis() + " ms", BUSY_RETRY);
        }
        if (failure instanceof BackendUnavailableException) {
            return ApiException.unavailable("backend_unavailable", failure.getMessage(), BUSY_RETRY);
        }
        LOG.error("A request to {} failed", what, failure);
        return ApiException.internal("the request to " + what + " failed: " + failure.getClass().getSimpleName());
    }
}
