package io.speculum.drafter;

import io.speculum.generation.CompletionTracker;
import io.speculum.generation.GenerationSession;
import io.speculum.generation.GenerationSessions;
import io.speculum.generation.RequestChecks;
import io.speculum.generation.SlotAdmission;
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
import io.speculum.protocol.GenerationEvent.TokenConfidence;
import io.speculum.protocol.ProtocolError;
import io.speculum.protocol.ProtocolError.ErrorCode;
import java.util.List;
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
 * through one {@link InferenceEngine}, which packs the sessions that are ready into one decode. Admission, waiting,
 * cancellation and the terminal events are the shared {@link GenerationSessions} lifecycle. Transport-free: events go
 * to a {@link GenerationOutput}; each request ends with exactly one terminal event.
 */
public final class SmallModelGenerator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SmallModelGenerator.class);

    private final Model model;
    private final InferenceEngine engine;
    private final GenerationSettings settings;
    private final GenerationOutput output;
    private final GenerationSessions<Session> sessions;
    private final LongAdder requests = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder tokens = new LongAdder();

    /** One running generation, one token per step; its monitor serialises its steps. */
    private static final class Session extends GenerationSession {
        int position;
        int round;

        Session(GenerateRequest request, int slot, int promptLength, CompletionTracker tracker) {
            super(request, slot, promptLength, tracker);
            this.position = promptLength;
        }

        @Override
        public int round() {
            return round;
        }

        @Override
        public GenerationEvent.GenerationStats stats() {
            return new GenerationEvent.GenerationStats(0, 0, 0, 0);
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
        this.sessions = new GenerationSessions<>("small model",
                new SlotAdmission(settings.maxSessions(), settings.maxWaiting(), settings.finishedMemory()), starter,
                output::reply, new GenerationSessions.Service<>() {
                    @Override
                    public void start(GenerateRequest request, int slot) {
                        SmallModelGenerator.this.start(request, slot);
                    }

                    @Override
                    public void release(Session session) {
                        freeCells(session);
                    }

                    @Override
                    public void rejected() {
                        rejected.increment();
                    }
                });
    }

    public GenerationSettings settings() {
        return settings;
    }

    public int activeSessions() {
        return sessions.running();
    }

    public int waitingRequests() {
        return sessions.waiting();
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
        sessions.onGenerate(request, settings.modelName(), settings.maxTokens());
    }

    public void onCancel(CancelRequest cancel) {
        sessions.onCancel(cancel);
    }

    private void start(GenerateRequest request, int slot) {
        requests.increment();
        int[] prompt;
        try {
            prompt = request.prompt() != null ? model.vocabulary().tokenize(request.prompt(), true, false) : request.promptTokens().clone();
        } catch (LlamaException e) {
            sessions.refuse(request, slot, new ProtocolError(ErrorCode.INVALID_REQUEST, "The prompt cannot be tokenized: " + e.getMessage()));
            return;
        }
        ProtocolError tooLong = RequestChecks.checkPrompt(prompt, model.vocabulary().size(), settings.sequenceContext());
        if (tooLong != null) {
            sessions.refuse(request, slot, tooLong);
            return;
        }
        Session session = new Session(request, slot, prompt.length, new CompletionTracker(model.vocabulary(), request.stop(),
                prompt.length, request.maxTokens(), settings.sequenceContext()));
        sessions.add(session);
        step(session, SequenceDecode.last(slot, prompt, 0));
    }

    /** Decodes {@code decode} for the session, then commits the token its last row gives. */
    private void step(Session session, SequenceDecode decode) {
        long started = System.nanoTime();
        engine.decode(decode).whenComplete((logits, failure) -> {
            synchronized (session) {
                if (session.ended()) {
                    return;
                }
                if (failure != null) {
                    sessions.failDecode(session, failure);
                    return;
                }
                commit(session, logits.last(), (System.nanoTime() - started) / 1e6);
            }
        });
    }

    private void commit(Session session, float[] row, double stepMillis) {
        var sampling = session.request().sampling();
        int token = SpeculativeSampling.sampleTarget(TokenSampler.distribution(row, sampling), sampling.seed(), session.position);
        TokenObservation observed = TokenStatistics.observe(row, token);
        TokenConfidence confidence = new TokenConfidence(token, observed.logProb(), observed.entropy(), TokenStatistics.topTwoMargin(row));
        int completionPosition = session.tracker().completionTokens();
        CompletionTracker.Commit commit = session.tracker().commit(new int[] {token});
        if (commit.tokens().length > 0 || !commit.text().isEmpty()) {
            tokens.add(commit.tokens().length);
            int textOffset = session.send(commit.text());
            output.reply(session.request().replyTopic(), new GenerationEvent.Round(session.id(), session.round, commit.tokens(),
                    commit.text(), new GenerationEvent.RoundStats(0, 0, null, stepMillis, 0),
                    commit.tokens().length > 0 ? List.of(confidence) : List.of(), null, null, completionPosition, textOffset));
        }
        if (commit.finish() != null) {
            sessions.finish(session, commit.finish(), "");
            return;
        }
        if (sessions.pastDeadline(session)) {
            return;
        }
        session.round++;
        int position = session.position++;
        step(session, SequenceDecode.last(session.slot(), new int[] {token}, position));
    }

    /** Empties an ended session's sequence: its cells are of no further use, and left behind they would widen every later decode's attention. */
    private void freeCells(Session session) {
        int slot = session.slot();
        engine.submit(context -> {
            context.clearSequence(slot);
            return null;
        }).exceptionally(failure -> {
            LOG.debug("Freeing the cells of {} failed", session.id(), failure);
            return null;
        });
    }

    /** Ends every waiting and running generation with an error event; the engine is closed by its owner. */
    @Override
    public void close() {
        sessions.close();
    }
}
