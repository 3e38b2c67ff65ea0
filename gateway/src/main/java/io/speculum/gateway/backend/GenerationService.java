package io.speculum.gateway.backend;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.speculum.gateway.GatewayMetrics;
import io.speculum.gateway.GatewayProperties;
import io.speculum.gateway.openai.ApiException;
import io.speculum.gateway.openai.GenerationSpec;
import io.speculum.gateway.openai.OpenGeneration;
import io.speculum.gateway.openai.RequestKind;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs one generation for the HTTP side behind a {@link BackendGuard} per request kind: the bulkhead of concurrent
 * generations, the circuit breaker over the Kafka path and the kind's time limiter, up to the first event; the
 * generation keeps its bulkhead permit until its stream ends. Nothing waits past the time limit, and a generation is
 * cancelled on the verifier when its client goes away.
 */
@Service
public class GenerationService {

    public static final String CIRCUIT_BREAKER = "kafka-path";
    public static final String BULKHEAD = "generations";
    private static final Logger LOG = LoggerFactory.getLogger(GenerationService.class);

    private final GenerationClient client;
    private final GatewayProperties properties;
    private final GatewayMetrics metrics;
    private final Map<RequestKind, BackendGuard> guards = new EnumMap<>(RequestKind.class);

    GenerationService(GenerationClient client, GatewayProperties properties, GatewayMetrics metrics,
            TimeLimiterRegistry timeLimiters, BulkheadRegistry bulkheads, CircuitBreakerRegistry circuitBreakers) {
        this.client = client;
        this.properties = properties;
        this.metrics = metrics;
        Bulkhead bulkhead = bulkheads.bulkhead(BULKHEAD);
        CircuitBreaker circuitBreaker = circuitBreakers.circuitBreaker(CIRCUIT_BREAKER);
        for (RequestKind kind : RequestKind.values()) {
            guards.put(kind, new BackendGuard("the model service", bulkhead, circuitBreaker,
                    timeLimiters.timeLimiter(kind.limiterName())));
        }
    }

    /**
     * Opens the request's {@code n} choices together (their requests go out at once, so the verifier batches them),
     * each an independent generation with its own seed (see {@link GenerationSpec#choice}); completes when every one
     * has its first event. When one fails, those already open are cancelled.
     */
    public Mono<List<OpenGeneration>> openChoices(GenerationSpec spec) {
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
            long startNanos = System.nanoTime();
            long created = System.currentTimeMillis();
            String id = spec.kind().idPrefix() + UUID.randomUUID();
            if (properties.logText()) {
                LOG.info("{} prompt: {}", id, spec.prompt());
            }
            AtomicReference<PendingGeneration> pending = new AtomicReference<>();
            return guards.get(spec.kind()).open(deadline -> {
                        pending.set(client.start(request(spec, id, created, deadline)));
                        return pending.get().first();
                    }, (first, release) -> started(spec, id, created, startNanos, first, pending.get(), release))
                    .doOnError(failure -> {
                        if (pending.get() != null) {
                            client.cancel(pending.get(), "no first event: " + failure.getMessage());
                        }
                        if (failure instanceof ApiException api) {
                            metrics.request(spec.kind(), api.status().value(), api.body().error().code());
                        }
                    })
                    .doOnCancel(() -> {
                        if (pending.get() != null) {
                            client.cancel(pending.get(), "client disconnected");
                        }
                    });
        });
    }

    private GenerateRequest request(GenerationSpec spec, String id, long createdMillis, long deadlineMillis) {
        // an echoed token-id prompt needs its tokens' texts: they come with the prompt's log-probabilities
        Integer promptLogprobs = !spec.echo() || (spec.logprobs() == null && spec.prompt() != null) ? null
                : spec.logprobs() == null ? Integer.valueOf(0) : spec.logprobs();
        return new GenerateRequest(id, client.replyTopic(), spec.model(), spec.prompt(), spec.promptTokens(), spec.maxTokens(),
                spec.sampling(), spec.stop(), spec.speculation(), createdMillis, deadlineMillis, null, spec.logprobs(),
                promptLogprobs, spec.penalties());
    }

    private OpenGeneration started(GenerationSpec spec, String id, long createdMillis, long startNanos,
            GenerationEvent first, PendingGeneration pending, Runnable release) {
        if (first instanceof GenerationEvent.Error error) {
            throw ApiException.fromErrorEvent(error, spec.kind() == RequestKind.CHAT ? "messages" : "prompt");
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
}
