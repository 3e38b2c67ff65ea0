package io.speculum.cascade;

import io.speculum.cascade.deferral.AnswerUncertainty;
import io.speculum.cascade.deferral.DeferralRule;
import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.CascadeReply;
import io.speculum.protocol.CascadeRequest;
import io.speculum.protocol.CascadeRouting;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolError.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cascade: asks the small model first (its events carry per-token confidence), scores the answer with the
 * deferral rule, and either returns it or defers to the large model, handing it the small answer as a draft so that
 * the large model verifies it in chunks instead of generating from scratch. Every request ends with exactly one
 * reply, within the configured time limits, whatever the models do. Requests with {@code routing: TOKEN} go to the
 * {@link TokenRouter} (token-level routing, lossy).
 *
 * <p>Transport-free: messages go to a {@link CascadeOutput}, events come in through {@link #onEvent}. A request's
 * monitor serialises its handling; a timer enforces the time limits.
 */
public final class CascadeRouter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CascadeRouter.class);
    static final String SMALL_SUFFIX = ":small";
    static final String LARGE_SUFFIX = ":large";

    private final CascadeProperties settings;
    private final DeferralRule rule;
    private final CascadeOutput output;
    private final CascadeMetrics metrics;
    private final ScheduledExecutorService timer;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /** Generation ids (request id + suffix) to their cascade request. */
    private final Map<String, Pending> byGeneration = new ConcurrentHashMap<>();
    private final TokenRouter tokens;

    private enum Phase { SMALL, LARGE, DONE }

    private static final class Pending {
        final CascadeRequest request;
        final double threshold;
        Phase phase = Phase.SMALL;
        int lastRound = -1;
        final StringBuilder text = new StringBuilder();
        final List<GenerationEvent.TokenConfidence> confidence = new ArrayList<>();
        String smallText;
        GenerationEvent.FinishReason smallFinish;
        int smallPrompt;
        int smallCompletion;
        double score;
        ScheduledFuture<?> timeout;

        Pending(CascadeRequest request, double threshold) {
            this.request = request;
            this.threshold = threshold;
        }

        String id() {
            return request.requestId();
        }
    }

    public CascadeRouter(CascadeProperties settings, DeferralRule rule, CascadeOutput output, CascadeMetrics metrics,
                         ScheduledExecutorService timer) {
        this.settings = settings;
        this.rule = rule;
        this.output = output;
        this.metrics = metrics;
        this.timer = timer;
        this.tokens = new TokenRouter(settings, output, metrics, timer);
    }

    public DeferralRule rule() {
        return rule;
    }

    public int pendingRequests() {
        return pending.size() + tokens.active();
    }

    public void onRequest(CascadeRequest request) {
        if (request.requestId() == null || request.requestId().isBlank() || request.replyTopic() == null || request.replyTopic().isBlank()) {
            LOG.warn("Dropping a cascade request without request id or reply topic");
            return;
        }
        // a redelivery (at-least-once) of a request in progress, whatever its routing, gets no reply of its own
        if (pending.containsKey(request.requestId()) || tokens.inProgress(request.requestId())) {
            LOG.debug("Dropping a duplicate of cascade request {}", request.requestId());
            return;
        }
        String invalid = invalid(request);
        if (invalid != null) {
            reply(request, new CascadeReply.Error(request.requestId(), ErrorCode.INVALID_REQUEST, invalid));
            return;
        }
        if (request.deadlineAtMillis() > 0 && request.deadlineAtMillis() <= System.currentTimeMillis()) {
            reply(request, new CascadeReply.Error(request.requestId(), ErrorCode.DEADLINE_EXCEEDED, "the request's deadline passed before it arrived"));
            return;
        }
        if (pendingRequests() >= settings.maxPending()) {
            reply(request, new CascadeReply.Error(request.requestId(), ErrorCode.OVERLOADED, "the cascade router has "
                    + settings.maxPending() + " requests in progress; retry later"));
            return;
        }
        if (request.routing() == CascadeRouting.TOKEN) {
            if (!tokens.start(request)) {
                LOG.debug("Dropping a duplicate of cascade request {}", request.requestId());
            }
            return;
        }
        Pending p = new Pending(request, request.threshold() != null ? request.threshold() : settings.threshold());
        if (pending.putIfAbsent(request.requestId(), p) != null) {
            LOG.debug("Dropping a duplicate of cascade request {}", request.requestId());
            return;
        }
        synchronized (p) {
            byGeneration.put(p.id() + SMALL_SUFFIX, p);
            p.timeout = schedule(p, Phase.SMALL, settings.smallTimeout());
            output.toSmall(generateRequest(p, p.id() + SMALL_SUFFIX, settings.smallModel(), request.prompt() + settings.smallPromptSuffix(), null));
        }
    }

    /**
     * The client cancelled a request: the generation it waits for is cancelled, and it ends with one CANCELLED reply.
     * A cancel for a request this instance does not have in progress (finished, unknown, another instance's) is ignored.
     */
    public void onCancel(CancelRequest cancel) {
        String reason = cancel.reason() == null || cancel.reason().isBlank() ? "no reason given" : cancel.reason();
        if (tokens.cancel(cancel.requestId(), reason)) {
            return;
        }
        Pending p = cancel.requestId() == null ? null : pending.get(cancel.requestId());
        if (p == null) {
            LOG.debug("Ignoring a cancel for cascade request {}, which is not in progress here", cancel.requestId());
            return;
        }
        synchronized (p) {
            if (p.phase == Phase.SMALL) {
                output.toSmall(new CancelRequest(p.id() + SMALL_SUFFIX, "the cascade request was cancelled"));
            } else if (p.phase == Phase.LARGE) {
                output.toLarge(new CancelRequest(p.id() + LARGE_SUFFIX, "the cascade request was cancelled"));
            }
            finish(p, cancelled(p.id(), reason));
        }
    }

    static CascadeReply.Error cancelled(String requestId, String reason) {
        return new CascadeReply.Error(requestId, ErrorCode.CANCELLED, "cancelled by the client: " + reason);
    }

    /** An event on the router's reply topic, from the small or the large model. */
    public void onEvent(GenerationEvent event) {
        if (tokens.onEvent(event)) {
            return;
        }
        Pending p = byGeneration.get(event.requestId());
        if (p == null) {
            return; // another router instance's, or a request that already ended
        }
        synchronized (p) {
            Phase phase = event.requestId().endsWith(SMALL_SUFFIX) ? Phase.SMALL : Phase.LARGE;
            if (p.phase != phase) {
                return;
            }
            switch (event) {
                case GenerationEvent.Round round -> {
                    if (round.round() <= p.lastRound) {
                        return; // a duplicate (at-least-once delivery)
                    }
                    p.lastRound = round.round();
                    p.text.append(round.text());
                    if (phase == Phase.SMALL && round.confidence() != null) {
                        p.confidence.addAll(round.confidence());
                    }
                }
                case GenerationEvent.Done done -> {
                    p.text.append(done.text());
                    if (phase == Phase.SMALL) {
                        smallDone(p, done);
                    } else {
                        largeDone(p, done);
                    }
                }
                case GenerationEvent.Error error -> {
                    if (phase == Phase.SMALL) {
                        finish(p, new CascadeReply.Error(p.id(), error.code(), "small model: " + error.message()));
                    } else {
                        largeFailed(p, error.code(), "large model: " + error.message());
                    }
                }
            }
        }
    }

    private void smallDone(Pending p, GenerationEvent.Done done) {
        p.timeout.cancel(false);
        p.smallText = p.text.toString();
        p.smallFinish = done.finishReason();
        p.smallPrompt = done.usage().promptTokens();
        p.smallCompletion = done.usage().completionTokens();
        p.score = rule.score(AnswerUncertainty.of(p.confidence));
        boolean defer = p.score > p.threshold;
        metrics.decided(p.score, defer);
        if (!defer) {
            finish(p, answer(p, p.smallText, CascadeReply.Model.SMALL, false, null, p.smallFinish, 0, 0, 0, 0));
            return;
        }
        long remaining = remainingMillis(p);
        if (remaining <= 0) {
            largeFailed(p, ErrorCode.DEADLINE_EXCEEDED, "the request's deadline passed before it could be deferred");
            return;
        }
        byGeneration.remove(p.id() + SMALL_SUFFIX);
        p.phase = Phase.LARGE;
        p.lastRound = -1;
        p.text.setLength(0);
        byGeneration.put(p.id() + LARGE_SUFFIX, p);
        p.timeout = schedule(p, Phase.LARGE, settings.largeTimeout());
        // the draft text continues the prompt as the large model sees it, so it starts with what the small one was given after it
        output.toLarge(generateRequest(p, p.id() + LARGE_SUFFIX, settings.largeModel(), p.request.prompt(),
                settings.speculative() ? settings.smallPromptSuffix() + p.smallText : null));
    }

    private void largeDone(Pending p, GenerationEvent.Done done) {
        p.timeout.cancel(false);
        finish(p, answer(p, p.text.toString(), CascadeReply.Model.LARGE, true, null, done.finishReason(),
                done.usage().promptTokens(), done.usage().completionTokens(), done.stats().rounds(), done.stats().acceptedTokens()));
    }

    private void largeFailed(Pending p, ErrorCode code, String message) {
        if (p.timeout != null) {
            p.timeout.cancel(false);
        }
        if (settings.onLargeFailure() == CascadeProperties.LargeFailure.SMALL_ANSWER) {
            finish(p, answer(p, p.smallText, CascadeReply.Model.SMALL, true, message, p.smallFinish, 0, 0, 0, 0));
        } else {
            finish(p, new CascadeReply.Error(p.id(), code, message));
        }
    }

    private void onTimeout(Pending p, Phase phase) {
        synchronized (p) {
            if (p.phase != phase) {
                return;
            }
            if (phase == Phase.SMALL) {
                output.toSmall(new CancelRequest(p.id() + SMALL_SUFFIX, "the cascade router stopped waiting"));
                finish(p, new CascadeReply.Error(p.id(), ErrorCode.DEADLINE_EXCEEDED, "the small model did not answer within "
                        + limit(p, settings.smallTimeout()).toMillis() + " ms"));
            } else {
                output.toLarge(new CancelRequest(p.id() + LARGE_SUFFIX, "the cascade router stopped waiting"));
                largeFailed(p, ErrorCode.DEADLINE_EXCEEDED, "the large model did not answer within "
                        + limit(p, settings.largeTimeout()).toMillis() + " ms (unavailable or overloaded)");
            }
        }
    }

    private CascadeReply.Answer answer(Pending p, String text, CascadeReply.Model by, boolean deferred, String undeferred,
                                       GenerationEvent.FinishReason finish, int largePrompt, int largeCompletion, int largeRounds,
                                       int largeAccepted) {
        return new CascadeReply.Answer(p.id(), text, by, deferred, undeferred, rule.name(), Math.min(p.score, Double.MAX_VALUE),
                p.threshold, finish, new CascadeReply.Costs(p.smallPrompt, p.smallCompletion, largePrompt, largeCompletion,
                        largeRounds, largeAccepted));
    }

    private void finish(Pending p, CascadeReply reply) {
        if (p.phase == Phase.DONE) {
            return;
        }
        p.phase = Phase.DONE;
        if (p.timeout != null) {
            p.timeout.cancel(false);
        }
        pending.remove(p.id(), p);
        byGeneration.remove(p.id() + SMALL_SUFFIX);
        byGeneration.remove(p.id() + LARGE_SUFFIX);
        reply(p.request, reply);
    }

    private void reply(CascadeRequest request, CascadeReply reply) {
        metrics.answered(reply);
        output.reply(request.replyTopic(), reply);
    }

    private GenerateRequest generateRequest(Pending p, String id, String model, String prompt, String draftText) {
        CascadeRequest r = p.request;
        return new GenerateRequest(id, settings.replyTopic(), model == null || model.isBlank() ? null : model, prompt, null,
                r.maxTokens(), r.sampling(), r.stop(), settings.largePolicy(), r.createdAtMillis(), r.deadlineAtMillis(), draftText);
    }

    private ScheduledFuture<?> schedule(Pending p, Phase phase, Duration limit) {
        return timer.schedule(() -> onTimeout(p, phase), limit(p, limit).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The phase's limit, shortened by the request's own deadline. */
    private static Duration limit(Pending p, Duration configured) {
        long deadline = p.request.deadlineAtMillis();
        if (deadline <= 0) {
            return configured;
        }
        return Duration.ofMillis(Math.max(0, Math.min(configured.toMillis(), deadline - System.currentTimeMillis())));
    }

    private static long remainingMillis(Pending p) {
        long deadline = p.request.deadlineAtMillis();
        return deadline <= 0 ? Long.MAX_VALUE : deadline - System.currentTimeMillis();
    }

    private String invalid(CascadeRequest request) {
        if (request.prompt() == null || request.prompt().isBlank()) {
            return "prompt is required";
        }
        if (request.maxTokens() < 1 || request.maxTokens() > settings.maxTokens()) {
            return "maxTokens must be in [1, " + settings.maxTokens() + "], was " + request.maxTokens();
        }
        if (request.threshold() != null && Double.isNaN(request.threshold())) {
            return "threshold must be a number";
        }
        if (request.routing() == CascadeRouting.TOKEN && request.threshold() != null) {
            return "threshold is the deferral rule's; TOKEN routing takes tokenThreshold";
        }
        if (request.tokenThreshold() != null && request.routing() != CascadeRouting.TOKEN) {
            return "tokenThreshold applies to TOKEN routing only";
        }
        if (request.tokenThreshold() != null && Double.isNaN(request.tokenThreshold())) {
            return "tokenThreshold must be a number";
        }
        return null;
    }

    /**
     * The answer to a cascade request that could not be read but names its id and reply topic (an unknown routing
     * mode, say): INVALID_REQUEST, counted, so that the client does not wait for nothing. The shared error handler
     * sends it (and dead-letters the record).
     */
    public CascadeReply.Error unreadable(String requestId, String problem) {
        CascadeReply.Error error = new CascadeReply.Error(requestId, ErrorCode.INVALID_REQUEST, "unreadable cascade request: " + problem);
        metrics.answered(error);
        return error;
    }

    /** Requests still in progress end with an error reply. */
    @Override
    public void close() {
        tokens.close();
        for (Pending p : pending.values()) {
            synchronized (p) {
                finish(p, new CascadeReply.Error(p.id(), ErrorCode.INTERNAL, "the cascade router is shutting down"));
            }
        }
    }
}
