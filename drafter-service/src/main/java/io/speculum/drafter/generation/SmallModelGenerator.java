package io.speculum.drafter.generation;

import io.speculum.generation.CompletionTracker;
import io.speculum.generation.DecodeFailures;
import io.speculum.generation.RequestChecks;
import io.speculum.generation.SessionAdmission;
import io.speculum.llama.InferenceEngine;
import io.speculum.llama.LlamaException;
import io.speculum.llama.Model;
import io.speculum.llama.SequenceDecode;
import io.speculum.math.SpeculativeSampling;
import io.speculum.math.TokenObservation;
import io.speculum.math.TokenSampler;
import io.speculum.math.TokenStatistics;
import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.GenerationEvent.FinishReason;
import io.speculum.protocol.GenerationEvent.TokenConfidence;
import io.speculum.protocol.ProtocolError;
import io.speculum.protocol.ProtocolError.ErrorCode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain generation with the small model, one token per step, each with the model's confidence in it (log-probability,
 * entropy, top-2 margin of the raw distribution): the small side of a cascade, which defers on those statistics.
 *
 * <p>Tokens are drawn exactly as the verifier draws its own (same sampler, uniforms keyed by seed and position), so a
 * request gives the same tokens here as the same model would give as a verifier's target. Steps of all sessions go
 * through one {@link InferenceEngine}, which packs the sessions that are ready into one decode. Transport-free:
 * events go to a {@link GenerationOutput}; each request ends with exactly one terminal event.
 */
public final class SmallModelGenerator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SmallModelGenerator.class);

    private final Model model;
    private final InferenceEngine engine;
    private final GenerationSettings settings;
    private final GenerationOutput output;
    private final Executor starter;
    private final SessionAdmission admission;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder tokens = new LongAdder();

    /** One running generation; its monitor serialises its steps. */
    private static final class Session {
        final GenerateRequest request;
        final int slot;
        final int promptLength;
        final CompletionTracker tracker;
        int position;
        int round;
        /** Unicode code points of completion text sent so far: the next event's text offset. */
        int sentCodePoints;
        boolean finished;

        Session(GenerateRequest request, int slot, int promptLength, CompletionTracker tracker) {
            this.request = request;
            this.slot = slot;
            this.promptLength = promptLength;
            this.position = promptLength;
            this.tracker = tracker;
        }

        String id() {
            return request.requestId();
        }
    }

    /** @param starter runs queued requests when a session frees up (not on the finishing thread, which holds a lock) */
    public SmallModelGenerator(Model model, InferenceEngine engine, GenerationSettings settings, GenerationOutput output,
                               Executor starter) {
        if (engine.maxSequences() < settings.maxSessions() || engine.positionLimit() < settings.sequenceContext()) {
            throw new IllegalArgumentException("the engine has " + engine.maxSequences() + " sequences of "
                    + engine.positionLimit() + " positions; the settings need " + settings.maxSessions() + " of "
                    + settings.sequenceContext());
        }
        this.model = model;
        this.engine = engine;
        this.settings = settings;
        this.output = output;
        this.starter = starter;
        this.admission = new SessionAdmission(settings.maxSessions(), settings.maxWaiting(), settings.finishedMemory());
    }

    public GenerationSettings settings() {
        return settings;
    }

    public int activeSessions() {
        return sessions.size();
    }

    public int waitingRequests() {
        return admission.waiting();
    }

    public long requests() {
        return requests.sum();
    }

    public long rejectedRequests() {
        return rejected.sum();
    }

    public long generatedTokens() {
        return tokens.sum();
    }

    public void onGenerate(GenerateRequest request) {
        if (request.requestId() == null || request.requestId().isBlank() || request.replyTopic() == null
                || request.replyTopic().isBlank()) {
            LOG.warn("Dropping a generate request without request id or reply topic");
            return;
        }
        ProtocolError invalid = RequestChecks.check(request, settings.modelName(), settings.maxTokens());
        if (invalid != null) {
            admission.refused(request.requestId());
            reject(request, invalid);
            return;
        }
        switch (admission.admit(request)) {
            case SessionAdmission.Start start -> start(request, start.slot());
            case SessionAdmission.Queued queued -> LOG.debug("{} waits for a session ({} waiting)", request.requestId(), queued.position());
            case SessionAdmission.Duplicate duplicate -> LOG.debug("Dropping a duplicate of request {}", request.requestId());
            case SessionAdmission.Overloaded overloaded ->
                    reject(request, new ProtocolError(ErrorCode.OVERLOADED, overloaded.message("small model")));
        }
    }

    public void onCancel(CancelRequest cancel) {
        GenerateRequest queued = admission.cancelWaiting(cancel.requestId());
        if (queued != null) {
            output.reply(queued.replyTopic(), GenerationEvent.Done.cancelledWhileWaiting(queued.requestId()));
            return;
        }
        Session session = sessions.get(cancel.requestId());
        if (session != null) {
            synchronized (session) {
                finish(session, FinishReason.CANCELLED, session.tracker.flush());
            }
        }
    }

    private void start(GenerateRequest request, int slot) {
        requests.increment();
        int[] prompt;
        try {
            prompt = request.prompt() != null ? model.vocabulary().tokenize(request.prompt(), true, false) : request.promptTokens().clone();
        } catch (LlamaException e) {
            endWithoutSession(request, slot, new ProtocolError(ErrorCode.INVALID_REQUEST, "The prompt cannot be tokenized: " + e.getMessage()));
            return;
        }
        ProtocolError tooLong = RequestChecks.checkPrompt(prompt, model.vocabulary().size(), settings.sequenceContext());
        if (tooLong != null) {
            endWithoutSession(request, slot, tooLong);
            return;
        }
        Session session = new Session(request, slot, prompt.length, new CompletionTracker(model.vocabulary(), request.stop(),
                prompt.length, request.maxTokens(), settings.sequenceContext()));
        sessions.put(request.requestId(), session);
        step(session, SequenceDecode.last(slot, prompt, 0));
    }

    /** Decodes {@code decode} for the session, then commits the token its last row gives. */
    private void step(Session session, SequenceDecode decode) {
        long started = System.nanoTime();
        engine.decode(decode).whenComplete((logits, failure) -> {
            synchronized (session) {
                if (session.finished) {
                    return;
                }
                if (failure != null) {
                    failDecode(session, failure);
                    return;
                }
                commit(session, logits.last(), (System.nanoTime() - started) / 1e6);
            }
        });
    }

    private void commit(Session session, float[] row, double stepMillis) {
        var sampling = session.request.sampling();
        int token = SpeculativeSampling.sampleTarget(TokenSampler.distribution(row, sampling), sampling.seed(), session.position);
        TokenObservation observed = TokenStatistics.observe(row, token);
        TokenConfidence confidence = new TokenConfidence(token, observed.logProb(), observed.entropy(), TokenStatistics.topTwoMargin(row));
        int completionPosition = session.tracker.completionTokens();
        CompletionTracker.Commit commit = session.tracker.commit(new int[] {token});
        if (commit.tokens().length > 0 || !commit.text().isEmpty()) {
            tokens.add(commit.tokens().length);
            int textOffset = session.sentCodePoints;
            session.sentCodePoints += commit.text().codePointCount(0, commit.text().length());
            output.reply(session.request.replyTopic(), new GenerationEvent.Round(session.id(), session.round, commit.tokens(),
                    commit.text(), new GenerationEvent.RoundStats(0, 0, null, stepMillis, 0),
                    commit.tokens().length > 0 ? List.of(confidence) : List.of(), null, null, completionPosition, textOffset));
        }
        if (commit.finish() != null) {
            finish(session, commit.finish(), "");
            return;
        }
        long deadline = session.request.deadlineAtMillis();
        if (deadline > 0 && System.currentTimeMillis() > deadline) {
            fail(session, new ProtocolError(ErrorCode.DEADLINE_EXCEEDED, "The request's deadline passed after "
                    + session.tracker.completionTokens() + " tokens"));
            return;
        }
        session.round++;
        int position = session.position++;
        step(session, SequenceDecode.last(session.slot, new int[] {token}, position));
    }

    private void failDecode(Session session, Throwable failure) {
        Throwable cause = DecodeFailures.cause(failure);
        ProtocolError error = DecodeFailures.toError(cause, "small model");
        if (error.code() == ErrorCode.INTERNAL) {
            LOG.warn("Decoding for {} failed", session.id(), cause);
        }
        fail(session, error);
    }

    private void finish(Session session, FinishReason reason, String text) {
        if (end(session)) {
            int completion = session.tracker.completionTokens();
            output.reply(session.request.replyTopic(), new GenerationEvent.Done(session.id(), session.round, reason, text,
                    new GenerationEvent.Usage(session.promptLength, completion),
                    new GenerationEvent.GenerationStats(0, 0, 0, 0)));
        }
    }

    private void fail(Session session, ProtocolError error) {
        if (end(session)) {
            output.reply(session.request.replyTopic(), new GenerationEvent.Error(session.id(), session.round, error.code(), error.message()));
        }
    }

    /** Ends the session once (false when it had ended) and passes its slot on. */
    private boolean end(Session session) {
        if (session.finished) {
            return false;
        }
        session.finished = true;
        sessions.remove(session.id());
        // its cells are of no further use, and left behind they would widen every later decode's attention
        int slot = session.slot;
        engine.submit(context -> {
            context.clearSequence(slot);
            return null;
        }).exceptionally(failure -> {
            LOG.debug("Freeing the cells of {} failed", session.id(), failure);
            return null;
        });
        handOver(admission.release(session.id(), session.slot));
        return true;
    }

    private void endWithoutSession(GenerateRequest request, int slot, ProtocolError error) {
        reject(request, error);
        handOver(admission.release(request.requestId(), slot));
    }

    private void handOver(SessionAdmission.Handover next) {
        if (next != null) {
            starter.execute(() -> startWaiting(next));
        }
    }

    private void startWaiting(SessionAdmission.Handover next) {
        GenerateRequest request = next.request();
        if (request.deadlineAtMillis() > 0 && System.currentTimeMillis() > request.deadlineAtMillis()) {
            endWithoutSession(request, next.slot(), new ProtocolError(ErrorCode.DEADLINE_EXCEEDED,
                    "The request's deadline passed while it waited for a session"));
            return;
        }
        start(request, next.slot());
    }

    private void reject(GenerateRequest request, ProtocolError error) {
        rejected.increment();
        output.reply(request.replyTopic(), new GenerationEvent.Error(request.requestId(), 0, error.code(), error.message()));
    }

    /** Ends every waiting and running generation with an error event; the engine is closed by its owner. */
    @Override
    public void close() {
        for (GenerateRequest waiting : admission.drainWaiting()) {
            reject(waiting, new ProtocolError(ErrorCode.INTERNAL, "The small-model generator is shutting down"));
        }
        for (Session session : sessions.values()) {
            synchronized (session) {
                fail(session, new ProtocolError(ErrorCode.INTERNAL, "The small-model generator is shutting down"));
            }
        }
    }
}
