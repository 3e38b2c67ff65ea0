package io.speculum.cascade;

import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.CascadeReply;
import io.speculum.protocol.CascadeRequest;
import io.speculum.protocol.CascadeRouting;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.GenerationEvent.FinishReason;
import io.speculum.protocol.ProtocolError.ErrorCode;
import io.speculum.protocol.SpeculationPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Token-level routing (after R2R), <b>lossy</b>: the small model generates; the first token whose surprisal
 * {@code -log p} is above the token threshold is not kept: its generation is cancelled, and the large model writes
 * {@code token-span} tokens continuing the prompt and the text so far; then the small model goes on from there.
 * Repeated until the request's token budget, a stop, or {@code max-handoffs} (then the small model finishes alone).
 *
 * <p>Every segment is a generation of its own ({@code <id>:small:<n>}, {@code <id>:large:<n>}): events of a segment
 * the router left (a cancelled small generation runs on for a while) are not looked up and so ignored. Text is kept
 * at round granularity: the round holding the uncertain token is dropped whole, and so is text a small segment still
 * held back (a possible stop-string prefix, an incomplete UTF-8 character) together with its tokens; the large model
 * writes from the end of the text already out, less its trailing spaces ({@code token-trim-spaces}: a SentencePiece
 * model's words bring their space before them). Stop strings are also looked for across segment boundaries.
 *
 * <p>Time limits: each small segment {@code small-timeout}, each large one {@code large-timeout}, the whole request
 * {@code small-timeout + large-timeout}, all shortened by the request's deadline. After a large-model failure with
 * {@code on-large-failure: small-answer} the small model finishes alone within a fresh {@code small-timeout}.
 */
final class TokenRouter {

    static final String RULE = "token-surprisal";

    private final CascadeProperties settings;
    private final CascadeOutput output;
    private final CascadeMetrics metrics;
    private final ScheduledExecutorService timer;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** The segment each session waits on, by its generation id. */
    private final Map<String, Session> bySegment = new ConcurrentHashMap<>();

    private enum Phase { SMALL, LARGE, DONE }

    /** One token-routed request; its monitor serialises its handling. */
    private static final class Session {
        final CascadeRequest request;
        final double threshold;
        /** What every segment continues after the prompt: the small prompt suffix, then the answer. */
        final StringBuilder text = new StringBuilder();
        int answerStart;
        Phase phase = Phase.SMALL;
        int segments;
        String segment;
        int lastRound;
        int segmentTextStart;
        /** Small tokens of this segment whose text is still held back by the small model. */
        int heldTokens;
        int smallTokens;
        int largeTokens;
        int handoffs;
        boolean limitReached;
        boolean smallAlone;
        String undeferred;
        double maxSurprisal;
        int smallPrompt;
        int largePrompt;
        int largeRounds;
        long endsAt;
        ScheduledFuture<?> timeout;

        Session(CascadeRequest request, double threshold, String smallPromptSuffix) {
            this.request = request;
            this.threshold = threshold;
            this.text.append(smallPromptSuffix);
            this.answerStart = smallPromptSuffix.length();
        }

        String id() {
            return request.requestId();
        }

        int remainingTokens() {
            return request.maxTokens() - smallTokens - largeTokens;
        }
    }

    TokenRouter(CascadeProperties settings, CascadeOutput output, CascadeMetrics metrics, ScheduledExecutorService timer) {
        this.settings = settings;
        this.output = output;
        this.metrics = metrics;
        this.timer = timer;
    }

    int active() {
        return sessions.size();
    }

    boolean inProgress(String requestId) {
        return sessions.containsKey(requestId);
    }

    /** Starts a validated request; false for a duplicate of one in progress. */
    boolean start(CascadeRequest request) {
        double threshold = request.tokenThreshold() != null ? request.tokenThreshold() : settings.tokenThreshold();
        Session s = new Session(request, threshold, settings.smallPromptSuffix());
        if (sessions.putIfAbsent(request.requestId(), s) != null) {
            return false;
        }
        synchronized (s) {
            s.endsAt = cap(s, System.currentTimeMillis() + settings.smallTimeout().toMillis() + settings.largeTimeout().toMillis());
            startSmall(s);
        }
        return true;
    }

    /** Cancels a request in progress, and the segment it waits for; false when it is no token-routed request here. */
    boolean cancel(String requestId, String reason) {
        Session s = requestId == null ? null : sessions.get(requestId);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            if (s.phase == Phase.DONE) {
                return true;
            }
            CancelRequest cancel = new CancelRequest(s.segment, "the cascade request was cancelled");
            if (s.phase == Phase.SMALL) {
                output.toSmall(cancel);
            } else {
                output.toLarge(cancel);
            }
            end(s, CascadeRouter.cancelled(s.id(), reason));
        }
        return true;
    }

    /** An event on the router's reply topic; false when it is no token-routed segment's in progress. */
    boolean onEvent(GenerationEvent event) {
        Session s = bySegment.get(event.requestId());
        if (s == null) {
            return false;
        }
        synchronized (s) {
            // a segment this session already left, or a session that ended (cancel, time-out) while this event waited
            if (s.phase == Phase.DONE || !event.requestId().equals(s.segment)) {
                return true;
            }
            switch (event) {
                case GenerationEvent.Round round -> {
                    if (round.round() <= s.lastRound) {
                        return true; // a duplicate (at-least-once delivery)
                    }
                    s.lastRound = round.round();
                    if (s.phase == Phase.SMALL) {
                        smallRound(s, round);
                    } else {
                        s.largeTokens += round.tokens().length;
                        append(s, round.text(), true);
                    }
                }
                case GenerationEvent.Done done -> {
                    if (s.phase == Phase.SMALL) {
                        s.smallPrompt += done.usage().promptTokens();
                        if (append(s, done.text(), false)) {
                            finish(s, done.finishReason());
                        }
                    } else {
                        largeDone(s, done);
                    }
                }
                case GenerationEvent.Error error -> {
                    if (error.code() == ErrorCode.PROMPT_TOO_LONG && s.segments > 1) {
                        finish(s, FinishReason.CONTEXT); // prompt and text so far fill this model's context
                    } else if (s.phase == Phase.SMALL) {
                        end(s, new CascadeReply.Error(s.id(), error.code(), "small model: " + error.message()));
                    } else {
                        largeFailed(s, error.code(), "large model: " + error.message());
                    }
                }
            }
        }
        return true;
    }

    private void smallRound(Session s, GenerationEvent.Round round) {
        List<GenerationEvent.TokenConfidence> confidence = round.confidence() == null ? List.of() : round.confidence();
        for (GenerationEvent.TokenConfidence token : confidence) {
            double surprisal = -token.logProb();
            s.maxSurprisal = Math.max(s.maxSurprisal, surprisal);
            if (surprisal > s.threshold && !s.smallAlone) {
                if (s.handoffs < settings.maxHandoffs()) {
                    handOff(s);
                    return;
                }
                s.limitReached = true;
            }
        }
        s.smallTokens += round.tokens().length;
        s.heldTokens = round.text().isEmpty() ? s.heldTokens + round.tokens().length : 0;
        append(s, round.text(), true);
    }

    /** Leaves the small segment before its uncertain token and asks the large model for the next span. */
    private void handOff(Session s) {
        output.toSmall(new CancelRequest(s.segment, "handed off to the large model"));
        s.smallTokens -= s.heldTokens; // their text never came: the large model writes from the text that did
        s.heldTokens = 0;
        s.handoffs++;
        if (settings.tokenTrimSpaces()) {
            int end = s.text.length();
            while (end > 0 && s.text.charAt(end - 1) == ' ') {
                end--;
            }
            s.text.setLength(end);
            s.answerStart = Math.min(s.answerStart, end); // the large model's own space then begins the answer
        }
        if (remainingMillis(s) <= 0) {
            largeFailed(s, ErrorCode.DEADLINE_EXCEEDED, "the token-routed request ran out of time before a hand-off");
            return;
        }
        GenerateRequest large = generateRequest(s, nextSegment(s, Phase.LARGE), settings.largeModel(),
                Math.min(settings.tokenSpan(), s.remainingTokens()), SpeculationPolicy.off());
        s.timeout = schedule(s, Phase.LARGE, settings.largeTimeout());
        output.toLarge(large);
    }

    private void largeDone(Session s, GenerationEvent.Done done) {
        s.largePrompt += done.usage().promptTokens();
        s.largeRounds += done.stats().rounds();
        if (!append(s, done.text(), false)) {
            return;
        }
        if (done.finishReason() != FinishReason.LENGTH || s.remainingTokens() <= 0) {
            finish(s, done.finishReason());
            return;
        }
        if (remainingMillis(s) <= 0) {
            end(s, new CascadeReply.Error(s.id(), ErrorCode.DEADLINE_EXCEEDED, "the token-routed request did not finish within "
                    + "its time limit"));
            return;
        }
        startSmall(s);
    }

    private void largeFailed(Session s, ErrorCode code, String message) {
        if (settings.onLargeFailure() != CascadeProperties.LargeFailure.SMALL_ANSWER) {
            end(s, new CascadeReply.Error(s.id(), code, message));
            return;
        }
        s.undeferred = message;
        if (s.remainingTokens() <= 0) {
            finish(s, FinishReason.LENGTH); // the large span already filled the answer: nothing left to write
            return;
        }
        s.smallAlone = true;
        s.endsAt = cap(s, System.currentTimeMillis() + settings.smallTimeout().toMillis());
        if (remainingMillis(s) <= 0) {
            end(s, new CascadeReply.Error(s.id(), ErrorCode.DEADLINE_EXCEEDED, message + "; no time left for the small model"));
            return;
        }
        startSmall(s);
    }

    /** The small model continues the prompt and the text so far, which first gets the small prompt suffix. */
    private void startSmall(Session s) {
        String suffix = settings.smallPromptSuffix();
        if (!suffix.isEmpty() && !s.text.toString().endsWith(suffix)) {
            s.text.append(suffix);
        }
        GenerateRequest small = generateRequest(s, nextSegment(s, Phase.SMALL), settings.smallModel(), s.remainingTokens(),
                SpeculationPolicy.off());
        s.heldTokens = 0;
        s.timeout = schedule(s, Phase.SMALL, settings.smallTimeout());
        output.toSmall(small);
    }

    private String nextSegment(Session s, Phase phase) {
        if (s.timeout != null) {
            s.timeout.cancel(false);
        }
        if (s.segment != null) {
            bySegment.remove(s.segment);
        }
        s.phase = phase;
        s.segment = s.id() + (phase == Phase.SMALL ? ":small:" : ":large:") + s.segments++;
        s.lastRound = -1;
        s.segmentTextStart = s.text.length();
        bySegment.put(s.segment, s);
        return s.segment;
    }

    /**
     * Appends a segment's text, then looks for a stop string that begins before the segment's text and ends in it
     * (within one segment the models stop themselves); false when one ended the request (cancelling the segment
     * when it still runs).
     */
    private boolean append(Session s, String text, boolean running) {
        if (text == null || text.isEmpty()) {
            return true;
        }
        int from = s.text.length();
        s.text.append(text);
        for (String stop : s.request.stop()) {
            int at = s.text.indexOf(stop, Math.max(s.answerStart, from - stop.length() + 1));
            if (at >= 0 && at < s.segmentTextStart) {
                s.text.setLength(at);
                if (running) {
                    CancelRequest cancel = new CancelRequest(s.segment, "a stop string across segments");
                    if (s.phase == Phase.SMALL) {
                        output.toSmall(cancel);
                    } else {
                        output.toLarge(cancel);
                    }
                }
                finish(s, FinishReason.STOP);
                return false;
            }
        }
        return true;
    }

    private void onTimeout(Session s, String segment, Phase phase, long limitMillis) {
        synchronized (s) {
            if (s.phase != phase || !segment.equals(s.segment)) {
                return;
            }
            boolean overall = System.currentTimeMillis() >= s.endsAt;
            if (phase == Phase.SMALL) {
                output.toSmall(new CancelRequest(segment, "the cascade router stopped waiting"));
                end(s, new CascadeReply.Error(s.id(), ErrorCode.DEADLINE_EXCEEDED, overall
                        ? "the token-routed request did not finish within its time limit"
                        : "the small model did not answer within " + limitMillis + " ms"));
            } else {
                output.toLarge(new CancelRequest(segment, "the cascade router stopped waiting"));
                largeFailed(s, ErrorCode.DEADLINE_EXCEEDED, "the large model did not answer within " + limitMillis
                        + " ms (unavailable or overloaded)");
            }
        }
    }

    private void finish(Session s, FinishReason reason) {
        CascadeReply.Model by = s.largeTokens == 0 ? CascadeReply.Model.SMALL
                : s.smallTokens == 0 ? CascadeReply.Model.LARGE : CascadeReply.Model.MIXED;
        end(s, new CascadeReply.Answer(s.id(), s.text.substring(Math.min(s.answerStart, s.text.length())), by, s.handoffs > 0,
                s.undeferred, RULE, s.maxSurprisal, s.threshold, reason,
                new CascadeReply.Costs(s.smallPrompt, s.smallTokens, s.largePrompt, s.largeTokens, s.largeRounds, 0),
                CascadeRouting.TOKEN, true, new CascadeReply.TokenRouting(s.smallTokens, s.largeTokens, s.handoffs, s.limitReached)));
    }

    private void end(Session s, CascadeReply reply) {
        if (s.phase == Phase.DONE) {
            return;
        }
        s.phase = Phase.DONE;
        if (s.timeout != null) {
            s.timeout.cancel(false);
        }
        if (s.segment != null) {
            bySegment.remove(s.segment);
        }
        sessions.remove(s.id(), s);
        metrics.answered(reply);
        output.reply(s.request.replyTopic(), reply);
    }

    private GenerateRequest generateRequest(Session s, String id, String model, int maxTokens, SpeculationPolicy policy) {
        CascadeRequest r = s.request;
        return new GenerateRequest(id, settings.replyTopic(), model == null || model.isBlank() ? null : model,
                r.prompt() + s.text, null, maxTokens, r.sampling(), r.stop(), policy, r.createdAtMillis(), r.deadlineAtMillis(), null);
    }

    private ScheduledFuture<?> schedule(Session s, Phase phase, Duration limit) {
        long millis = Math.max(0, Math.min(limit.toMillis(), remainingMillis(s)));
        String segment = s.segment;
        return timer.schedule(() -> onTimeout(s, segment, phase, millis), millis, TimeUnit.MILLISECONDS);
    }

    private static long remainingMillis(Session s) {
        return s.endsAt - System.currentTimeMillis();
    }

    /** A time limit, shortened by the request's own deadline. */
    private static long cap(Session s, long endsAt) {
        long deadline = s.request.deadlineAtMillis();
        return deadline > 0 ? Math.min(endsAt, deadline) : endsAt;
    }

    /** Requests still in progress end with an error reply. */
    void close() {
        for (Session s : sessions.values()) {
            synchronized (s) {
                end(s, new CascadeReply.Error(s.id(), ErrorCode.INTERNAL, "the cascade router is shutting down"));
            }
        }
    }
}
