package io.speculum.gateway.cascade;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.speculum.gateway.GatewayMetrics;
import io.speculum.gateway.GatewayProperties;
import io.speculum.gateway.backend.BackendGuard;
import io.speculum.gateway.backend.GenerationService;
import io.speculum.gateway.backend.OneReplyClient;
import io.speculum.gateway.backend.ReplyRouter;
import io.speculum.gateway.openai.ApiException;
import io.speculum.gateway.openai.GenerationSpec;
import io.speculum.gateway.openai.OpenAiResponses.CascadeExtension;
import io.speculum.gateway.openai.OpenAiResponses.CascadeInfo;
import io.speculum.gateway.openai.OpenAiResponses.Usage;
import io.speculum.gateway.openai.RequestKind;
import io.speculum.gateway.openai.ResponseAssembler;
import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.CascadeReply;
import io.speculum.protocol.CascadeRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.Topics;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Completions for a cascade model: one {@link CascadeRequest} to {@code llm.cascade}, answered by the router's one
 * {@link CascadeReply} (the small model's answer, or the large model's when the deferral rule deferred; with token
 * routing, lossy, both models' text), behind the
 * generations' bulkhead, the circuit breaker {@code cascade-path} and the time limiter {@code cascade}. A call
 * cancelled before its reply (client disconnect, time limit) sends a {@link CancelRequest} on {@code llm.cascade}.
 */
@Service
public class CascadeService {

    public static final String CIRCUIT_BREAKER = "cascade-path";
    static final String TIME_LIMITER = "cascade";
    private static final Logger LOG = LoggerFactory.getLogger(CascadeService.class);

    private final OneReplyClient client;
    private final GatewayMetrics metrics;
    private final GatewayProperties properties;
    private final BackendGuard guard;

    CascadeService(OneReplyClient client, GatewayProperties properties, GatewayMetrics metrics, BulkheadRegistry bulkheads,
            CircuitBreakerRegistry circuitBreakers, TimeLimiterRegistry timeLimiters) {
        this.client = client;
        this.metrics = metrics;
        this.properties = properties;
        this.guard = new BackendGuard("the cascade router", bulkheads.bulkhead(GenerationService.BULKHEAD),
                circuitBreakers.circuitBreaker(CIRCUIT_BREAKER), timeLimiters.timeLimiter(TIME_LIMITER));
    }

    /** The cascade's answer; an error reply fails with the HTTP error a client should see. */
    public Mono<CascadeAnswer> answer(GenerationSpec spec) {
        return Mono.defer(() -> {
            String id = ReplyRouter.CASCADE_PREFIX + spec.kind().idPrefix() + UUID.randomUUID();
            long created = System.currentTimeMillis();
            if (properties.logText()) {
                LOG.info("{} prompt: {}", id, spec.prompt());
            }
            GenerationSpec.Cascade cascade = spec.cascade();
            AtomicBoolean replied = new AtomicBoolean();
            return guard.run(deadline -> client.call(Topics.CASCADE, id, new CascadeRequest(id, client.replyTopic(),
                            spec.prompt(), spec.maxTokens(), spec.sampling(), spec.stop(), cascade.threshold(), created, deadline,
                            cascade.routing(), cascade.tokenThreshold()),
                            CascadeReply.class)
                            .doOnNext(reply -> replied.set(true))
                            // the client went away, or the time limiter gave up: the router stops the models' work too
                            .doOnCancel(() -> {
                                if (!replied.get()) {
                                    cancel(id, System.currentTimeMillis() >= deadline ? "the gateway's time limit passed"
                                            : "client disconnected");
                                }
                            }))
                    .map(reply -> switch (reply) {
                        case CascadeReply.Answer answer -> new CascadeAnswer(id, created / 1000, spec, answer);
                        case CascadeReply.Error error -> throw ApiException.fromErrorEvent(
                                new GenerationEvent.Error(id, 0, error.code(), error.message()),
                                spec.kind() == RequestKind.CHAT ? "messages" : "prompt");
                    })
                    .doOnSuccess(answer -> metrics.request(TIME_LIMITER, 200,
                            answer.reply().answeredBy().name().toLowerCase(Locale.ROOT)))
                    .doOnError(ApiException.class, failure -> metrics.request(TIME_LIMITER, failure.status().value(),
                            failure.body().error().code()));
        });
    }

    private void cancel(String id, String reason) {
        LOG.debug("Cancelling {}: {}", id, reason);
        client.tell(Topics.CASCADE, id, new CancelRequest(id, reason));
    }

    /** A cascade's answer with what the response needs: OpenAI's id and created, the request, the router's reply. */
    public record CascadeAnswer(String id, long created, GenerationSpec spec, CascadeReply.Answer reply) {

        String text() {
            return reply.text() == null ? "" : reply.text();
        }

        String finishReason() {
            return ResponseAssembler.finishReason(reply.finishReason());
        }

        /** The answering model's tokens (the other model's are in the extension); both models' for a mixed answer. */
        Usage usage() {
            CascadeReply.Costs costs = reply.costs();
            int prompt = switch (reply.answeredBy()) {
                case SMALL -> costs.smallPromptTokens();
                case LARGE -> costs.largePromptTokens();
                case MIXED -> costs.smallPromptTokens() + costs.largePromptTokens();
            };
            int completion = switch (reply.answeredBy()) {
                case SMALL -> costs.smallCompletionTokens();
                case LARGE -> costs.largeCompletionTokens();
                case MIXED -> costs.smallCompletionTokens() + costs.largeCompletionTokens();
            };
            return new Usage(prompt, completion, prompt + completion, null);
        }

        CascadeExtension extension() {
            CascadeReply.Costs costs = reply.costs();
            CascadeReply.TokenRouting tokens = reply.tokenRouting();
            return new CascadeExtension(new CascadeInfo(reply.answeredBy().name().toLowerCase(Locale.ROOT), reply.deferred(),
                    reply.undeferred(), reply.rule(), reply.score(), reply.threshold(), costs.smallPromptTokens(),
                    costs.smallCompletionTokens(), costs.largePromptTokens(), costs.largeCompletionTokens(),
                    costs.largeVerificationRounds(), costs.largeDraftTokensAccepted(),
                    reply.routing().name().toLowerCase(Locale.ROOT), reply.lossy(),
                    tokens == null ? null : tokens.handoffs(), tokens == null ? null : tokens.handoffLimitReached()));
        }
    }
}
