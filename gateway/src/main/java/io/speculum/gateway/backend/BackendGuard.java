package io.speculum.gateway.backend;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.speculum.gateway.openai.ApiException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The gateway's one way of calling a backend over Kafka, with Resilience4j: a bulkhead without waiting (503
 * {@code overloaded}), the time limiter (503 {@code timeout}; the deadline travels with the request), a circuit breaker
 * over the Kafka path (503 {@code backend_unavailable} while open; a call with no answer within its time limit counts
 * as a failure), each with {@code Retry-After}. A one-reply call ({@link #run}) holds its bulkhead permit until the
 * reply; a generation ({@link #open}) until its stream ends.
 */
public final class BackendGuard {

    private static final Logger LOG = LoggerFactory.getLogger(BackendGuard.class);

    private final String what;
    private final Bulkhead bulkhead;
    private final CircuitBreaker circuitBreaker;
    private final TimeLimiter timeLimiter;

    /** @param what the backend in error messages, e.g. "the detector" */
    public BackendGuard(String what, Bulkhead bulkhead, CircuitBreaker circuitBreaker, TimeLimiter timeLimiter) {
        this.what = what;
        this.bulkhead = bulkhead;
        this.circuitBreaker = circuitBreaker;
        this.timeLimiter = timeLimiter;
    }

    public Duration limit() {
        return timeLimiter.getTimeLimiterConfig().getTimeoutDuration();
    }

    /** Runs a one-reply call (given its deadline, epoch millis) once the bulkhead admits it; its permit ends with it. */
    public <T> Mono<T> run(LongFunction<Mono<T>> call) {
        return Mono.defer(() -> {
            if (!bulkhead.tryAcquirePermission()) {
                return Mono.error(overloaded());
            }
            long deadline = System.currentTimeMillis() + limit().toMillis();
            return guarded(Mono.defer(() -> call.apply(deadline)))
                    .doFinally(signal -> bulkhead.onComplete());
        });
    }

    /**
     * Opens what outlives its first answer (a generation's stream) once the bulkhead admits it: the time limit and the
     * circuit breaker cover the call up to its first answer, which {@code opened} turns into the result together with
     * the permit's release, to run when the stream ends. When the call fails or is cancelled before, the guard
     * releases the permit itself.
     */
    public <F, T> Mono<T> open(LongFunction<Mono<F>> call, BiFunction<F, Runnable, T> opened) {
        return Mono.defer(() -> {
            if (!bulkhead.tryAcquirePermission()) {
                return Mono.error(overloaded());
            }
            AtomicBoolean released = new AtomicBoolean();
            Runnable release = () -> {
                if (released.compareAndSet(false, true)) {
                    bulkhead.onComplete();
                }
            };
            long deadline = System.currentTimeMillis() + limit().toMillis();
            return guarded(Mono.defer(() -> call.apply(deadline)))
                    .map(first -> opened.apply(first, release))
                    .onErrorMap(failure -> !(failure instanceof ApiException), this::unavailable)
                    .doOnError(failure -> release.run())
                    .doOnCancel(release);
        });
    }

    private <T> Mono<T> guarded(Mono<T> call) {
        return call.transformDeferred(TimeLimiterOperator.of(timeLimiter))
                .transformDeferred(CircuitBreakerOperator.of(circuitBreaker))
                .onErrorMap(failure -> !(failure instanceof ApiException), this::unavailable);
    }

    private ApiException overloaded() {
        return ApiException.unavailable("overloaded", "This gateway runs " + bulkhead.getBulkheadConfig().getMaxConcurrentCalls()
                + " " + bulkhead.getName() + " at once; retry shortly", ApiException.BUSY_RETRY);
    }

    private ApiException unavailable(Throwable failure) {
        if (failure instanceof CallNotPermittedException) {
            long waitMillis = circuitBreaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1);
            return ApiException.unavailable("backend_unavailable", Character.toUpperCase(what.charAt(0)) + what.substring(1)
                    + " has stopped answering; requests are refused for a while", Duration.ofMillis(waitMillis));
        }
        if (failure instanceof TimeoutException) {
            return ApiException.unavailable("timeout", "No answer from " + what + " within " + limit().toMillis() + " ms",
                    ApiException.BUSY_RETRY);
        }
        if (failure instanceof BackendUnavailableException) {
            return ApiException.unavailable("backend_unavailable", failure.getMessage(), ApiException.BUSY_RETRY);
        }
        LOG.error("A request to {} failed", what, failure);
        return ApiException.internal("the request to " + what + " failed: " + failure.getClass().getSimpleName());
    }
}
