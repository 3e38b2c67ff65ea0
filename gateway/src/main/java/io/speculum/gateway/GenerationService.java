package io.speculum.gateway;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs one generation for the HTTP side, guarded by Resilience4j: the API key's rate limiter (429), the bulkhead of
 * concurrent generations (503), the circuit breaker over the Kafka path (503 while open; it counts a request that
 * gets no first event within its time limit as a failure) and the time limiter of the request kind. Every refusal
 * carries {@code Retry-After}; nothing waits past the time limit, and a generation is cancelled on the verifier when
 * its client goes away.
 */
@Service
class GenerationService {

    static final String CIRCUIT_BREAKER = "kafka-path";
    static final String BULKHEAD = "generations";
    static final String RATE_LIMIT_CONFIG = "per-api-key";
    private static final Logger LOG = LoggerFactory.getLogger(GenerationService.class);
    private static final Duration BUSY_RETRY = Duration.ofSeconds(1);

    private final GenerationClient client;
    private final GatewayProperties properties;
    private final GatewayMetrics metrics;
    private final RateLimiterRegistry rateLimiters;
    private final TimeLimiterRegistry timeLimiters;
    private final Bulkhead bulkhead;
    private final CircuitBreaker circuitBreaker;

    GenerationService(GenerationClient client, GatewayProperties properties, GatewayMetrics metrics,
            RateLimiterRegistry rateLimiters, TimeLimiterRegistry timeLimiters, BulkheadRegistry bulkheads,
            CircuitBreakerRegistry circuitBreakers) {
        this.client = client;
        this.properties = properties;
        this.metrics = metrics;
        this.rateLimiters = rateLimiters;
        this.timeLimiters = timeLimiters;
        this.bulkhead = bulkheads.bulkhead(BULKHEAD);
        this.circuitBreaker = circuitBreakers.circuitBreaker(CIRCUIT_BREAKER);
    }

    /** Charges one request to the API key's rate limiter; 429 with Retry-After when it has none left. */
    void charge(String apiKeyId) {
        RateLimiter limiter = rateLimiters.rateLimiter("api-key-" + apiKeyId, RATE_LIMIT_CONFIG);
        if (!limiter.acquirePermission()) {
            Duration wait = limiter instanceof AtomicRateLimiter atomic
                    ? Duration.ofNanos(Math.max(0, atomic.getDetailedMetrics().getNanosToWait()))
                    : limiter.getRateLimiterConfig().getLimitRefreshPeriod();
            throw ApiException.rateLimited(wait);
        }
    }

    /**
     * Opens the request's {@code n} choices together (their requests go out at once, so the verifier batches them),
     * each an independent generation with its own seed (see {@link GenerationSpec#choice}); completes when every one
     * has its first event. When one fails, those already open are cancelled.
     */
    Mono<List<OpenGeneration>> openChoices(GenerationSpec spec) {
        if (spec.n() == 1) {
            return open(spec).map(List::of);
        }
        List<OpenGeneration> opened = new CopyOnWriteArrayList<>();
        return Flux.range(0, spec.n())
                .flatMapSequential(i -> open(spec.choice(i)).doOnNext(opened::add))
                .collectList()
                // choices already open hold a bulkhead permit and a verifier session until their events are cancelled
                .doOnError(failure -> opened.forEach(generation -> generation.events().subscribe().dispose()))
                .doOnCancel(() -> opened.forEach(generation -> generation.events().subscribe().dispose()));
    }

    /** Sends the request and completes when its first event arrives (or fails with an {@link ApiException}). */
    Mono<OpenGeneration> open(GenerationSpec spec) {
        return Mono.defer(() -> {
            if (!bulkhead.tryAcquirePermission()) {
                return Mono.error(ApiException.unavailable("overloaded", "This gateway runs " + bulkhead.getBulkheadConfig()
                        .getMaxConcurrentCalls() + " generations at once; retry shortly", BUSY_RETRY));
            }
            AtomicBoolean released = new AtomicBoolean();
            Runnable release = () -> {
                if (released.compareAndSet(false, true)) {
                    bulkhead.onComplete();
                }
            };
            TimeLimiter limiter = timeLimiters.timeLimiter(spec.kind().limiterName());
            Duration limit = limiter.getTimeLimiterConfig().getTimeoutDuration();
            long startNanos = System.nanoTime();
            long now = System.currentTimeMillis();
            String id = spec.kind().idPrefix() + UUID.randomUUID();
            // an echoed token-id prompt needs its tokens' texts: they come with the prompt's log-probabilities
            Integer promptLogprobs = !spec.echo() || (spec.logprobs() == null && spec.prompt() != null) ? null
                    : spec.logprobs() == null ? Integer.valueOf(0) : spec.logprobs();
            GenerateRequest request = new GenerateRequest(id, client.replyTopic(), spec.model(), spec.prompt(),
                    spec.promptTokens(), spec.maxTokens(), spec.sampling(), spec.stop(), spec.speculation(), now,
                    now + limit.toMillis(), null, spec.logprobs(), promptLogprobs, spec.penalties());
            if (properties.logText()) {
                LOG.info("{} prompt: {}", id, spec.prompt());
            }
            AtomicReference<PendingGeneration> pending = new AtomicReference<>();
            return Mono.defer(() -> {
                        pending.set(client.start(request));
                        return pending.get().first();
                    })
                    .transformDeferred(TimeLimiterOperator.of(limiter))
                    .transformDeferred(CircuitBreakerOperator.of(circuitBreaker))
                    .map(first -> started(spec, id, now, startNanos, first, pending.get(), release))
                    .onErrorMap(failure -> !(failure instanceof ApiException), failure -> unavailable(failure, limit))
                    .doOnError(failure -> {
                        if (pending.get() != null) {
                            client.cancel(pending.get(), "no first event: " + failure.getMessage());
                        }
                        release.run();
                        if (failure instanceof ApiException api) {
                            metrics.request(spec.kind(), api.status().value(), api.body().error().code());
                        }
                    })
                    .doOnCancel(() -> {
                        if (pending.get() != null) {
                            client.cancel(pending.get(), "client disconnected");
                        }
                        release.run();
                    });
        });
    }

    private OpenGeneration started(GenerationSpec spec, String id, long createdMillis, long startNanos,
            GenerationEvent first, PendingGeneration pending, Runnable release) {
        if (first instanceof GenerationEvent.Error error) {
            throw fromErrorEvent(error, spec.kind() == RequestKind.CHAT ? "messages" : "prompt");
        }
        Duration ttft = Duration.ofNanos(System.nanoTime() - startNanos);
        metrics.timeToFirstToken(spec.kind(), ttft);
        if (first instanceof GenerationEvent.Round round && round.stats() != null) {
            metrics.queueTime(spec.kind(), ttft.minusNanos((long) (round.stats().roundMillis() * 1e6)));
        }
        long[] lastNanos = {System.nanoTime()};
        Flux<GenerationEvent> events = Flux.concat(Mono.just(first), pending.rest().timeout(properties.streamIdleTimeout()))
                .doOnNext(event -> {
                    long nowNanos = System.nanoTime();
                    if (event instanceof GenerationEvent.Round round && event != first) {
                        metrics.interTokenLatency(spec.kind(), Duration.ofNanos(nowNanos - lastNanos[0]), round.tokens().length);
                    }
                    lastNanos[0] = nowNanos;
                    if (event instanceof GenerationEvent.Done done) {
                        metrics.endToEnd(spec.kind(), Duration.ofNanos(nowNanos - startNanos));
                        metrics.tokens(spec.kind(), done.usage().promptTokens(), done.usage().completionTokens());
                        metrics.request(spec.kind(), 200, done.finishReason().name().toLowerCase());
                    } else if (event instanceof GenerationEvent.Error error) {
                        metrics.request(spec.kind(), 200, error.code().name().toLowerCase());
                    }
                })
                .doOnCancel(() -> client.cancel(pending, "client disconnected"))
                .doOnError(failure -> {
                    client.cancel(pending, "stream failed: " + failure.getMessage());
                    metrics.request(spec.kind(), 200, "stream_failed");
                })
                .doFinally(signal -> release.run());
        return new OpenGeneration(id, createdMillis / 1000, spec, events);
    }

    /** A protocol error event as the HTTP error a client should see. */
    static ApiException fromErrorEvent(GenerationEvent.Error error, String promptParam) {
        return switch (error.code()) {
            case INVALID_REQUEST -> ApiException.invalid(null, error.message());
            case PROMPT_TOO_LONG -> ApiException.invalid(promptParam, "context_length_exceeded", error.message());
            case UNKNOWN_MODEL -> new ApiException(HttpStatus.NOT_FOUND, "invalid_request_error", "model", "model_not_found",
                    error.message(), null);
            case OVERLOADED -> ApiException.unavailable("overloaded", error.message(), BUSY_RETRY);
            case DEADLINE_EXCEEDED -> ApiException.unavailable("timeout", error.message(), BUSY_RETRY);
            // another party cancelled the request (this gateway no longer waits for those it cancels itself)
            case CANCELLED -> ApiException.unavailable("cancelled", error.message(), BUSY_RETRY);
            case VOCABULARY_MISMATCH, DRAFTER_FAILED, STATE_NEEDED, INTERNAL -> ApiException.internal(error.code() + ": " + error.message());
        };
    }

    private ApiException unavailable(Throwable failure, Duration limit) {
        if (failure instanceof CallNotPermittedException) {
            long waitMillis = circuitBreaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1);
            return ApiException.unavailable("backend_unavailable",
                    "The model service has stopped answering; requests are refused for a while", Duration.ofMillis(waitMillis));
        }
        if (failure instanceof TimeoutException) {
            return ApiException.unavailable("timeout", "No answer from the model service within " + limit.toMillis() + " ms",
                    BUSY_RETRY);
        }
        if (failure instanceof BackendUnavailableException) {
            return ApiException.unavailable("backend_unavailable", failure.getMessage(), BUSY_RETRY);
        }
        LOG.error("Generation failed", failure);
        return ApiException.internal("the generation failed: " + failure.getClass().getSimpleName());
    }

}
