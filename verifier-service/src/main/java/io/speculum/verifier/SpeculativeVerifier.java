package io.speculum.verifier;

import io.speculum.generation.CompletionTracker;
import io.speculum.generation.GenerationSessions;
import io.speculum.generation.RequestChecks;
import io.speculum.generation.SlotAdmission;
import io.speculum.generation.TokenLogprobs;
import io.speculum.llama.InferenceEngine;
import io.speculum.llama.LlamaException;
import io.speculum.llama.Model;
import io.speculum.llama.SequenceDecode;
import io.speculum.llama.SequenceLogits;
import io.speculum.math.ChainVerification;
import io.speculum.math.SparseDistribution;
import io.speculum.math.TreeVerification;
import io.speculum.math.SpeculativeSampling;
import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.DraftProposal;
import io.speculum.protocol.DraftRelease;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.DraftTiming;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.GenerationEvent.FinishReason;
import io.speculum.protocol.GenerationState;
import io.speculum.protocol.ProtocolError;
import io.speculum.protocol.TokenDelta;
import io.speculum.protocol.ProtocolError.ErrorCode;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves generations with the target model, accelerated by drafts, with exactly the target model's output.
 *
 * <p>Per generation, round 0 prefills the prompt and commits the first token; each later round decodes the last
 * committed token together with a drafter's chain in one batched decode, accepts a prefix by
 * {@link ChainVerification} and commits it plus one token of the target's own. Rolled-back draft tokens need no
 * explicit KV operation: the next decode starts at the first position that differs, and the engine drops what the
 * sequence cached from there on. Decodes of all sessions that are ready go through one {@link InferenceEngine}, which
 * packs them into a single {@code llama_decode}.
 *
 * <p>Messages are handled on any thread; a session's monitor serialises its rounds. Stale and duplicated messages
 * are recognised by (request id, round) and dropped; each request ends with exactly one terminal event. Admission,
 * waiting, cancellation and the terminal events are the shared {@link GenerationSessions} lifecycle; a
 * {@link Session} holds one generation's round state, a {@link DraftTextHint} the cascade's draft text,
 * {@link BranchSequences} the KV sequences of token trees, a {@link SuccessorCapture} what token recycling learns.
 */
public final class SpeculativeVerifier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SpeculativeVerifier.class);

    private final Model model;
    private final InferenceEngine engine;
    private final VerifierSettings settings;
    private final VerifierOutput output;
    private final ScheduledExecutorService timer;
    private final SpeculationStatistics statistics = new SpeculationStatistics();
    private final String vocabulary;
    private final GenerationSessions<Session> sessions;
    private final BranchSequences branches;
    private final CostCurve cost;
    /** What a decode shared by sessions costs, learnt from this verifier's decodes (every session's control reads it). */
    private final SharedDecodeCost decodeCost;
    private final DrafterPriors priors = new DrafterPriors();

    /** A verifier whose cost curve is measured now, with timed decodes on the idle engine. */
    public SpeculativeVerifier(Model model, InferenceEngine engine, VerifierSettings settings, VerifierOutput output,
                               ScheduledExecutorService timer) {
        this(model, engine, settings, output, timer, CostCurve.measure(engine, 0, 5));
    }

    /** @param cost what decoding n tokens at once costs the engine: the automatic policy chooses k from it */
    public SpeculativeVerifier(Model model, InferenceEngine engine, VerifierSettings settings, VerifierOutput output,
                               ScheduledExecutorService timer, CostCurve cost) {
        if (engine.maxSequences() < settings.engineSequences()) {
            throw new IllegalArgumentException("the engine has " + engine.maxSequences() + " sequences for "
                    + settings.maxSessions() + " sessions of " + settings.treeBranches() + " tree branches");
        }
        if (engine.positionLimit() < settings.sequenceContext()) {
            throw new IllegalArgumentException("the engine allows " + engine.positionLimit() + " positions per sequence, not "
                    + settings.sequenceContext());
        }
        this.model = model;
        this.engine = engine;
        this.settings = settings;
        this.output = output;
        this.timer = timer;
        this.vocabulary = model.vocabulary().fingerprint().toString();
        this.branches = new BranchSequences(engine, settings.maxSessions(), settings.treeBranches());
        this.sessions = new GenerationSessions<>("verifier",
                new SlotAdmission(settings.maxSessions(), settings.maxWaiting(), settings.finishedMemory()), timer, output::reply,
                new GenerationSessions.Service<>() {
                    @Override
                    public void start(GenerateRequest request, int slot) {
                        SpeculativeVerifier.this.start(request, slot);
                    }

                    @Override
                    public void release(Session session) {
                        SpeculativeVerifier.this.release(session);
                    }

                    @Override
                    public void rejected() {
                        statistics.rejectedRequests.increment();
                    }

                    @Override
                    public void dropped() {
                        statistics.droppedMessages.increment();
                    }
                });
        this.cost = cost;
        this.decodeCost = new SharedDecodeCost(cost);
        LOG.info("Verifier cost curve: {}", cost);
    }

    public CostCurve costCurve() {
        return cost;
    }

    public SpeculationStatistics statistics() {
        return statistics;
    }

    public String vocabularyFingerprint() {
        return vocabulary;
    }

    public VerifierSettings settings() {
        return settings;
    }

    /** Generations being decoded now. */
    public int activeSessions() {
        return sessions.running();
    }

    /** KV cells the engine holds now, once the work queued before this call has run (finished sessions hold none). */
    public CompletableFuture<Integer> cachedCells() {
        return engine.submit(context -> context.usedCells());
    }

    /** Generations waiting for a free slot. */
    public int waitingRequests() {
        return sessions.waiting();
    }

    // ---- requests ---------------------------------------------------------------------------------------------

    public void onGenerate(GenerateRequest request) {
        sessions.onGenerate(request, settings.modelName(), settings.maxTokens());
    }

    public void onCancel(CancelRequest cancel) {
        sessions.onCancel(cancel);
    }

    public void onProposal(DraftProposal proposal) {
        long arrivedMicros = DraftTiming.nowMicros();
        Session session = sessions.get(proposal.requestId());
        if (session == null) {
            statistics.droppedMessages.increment();
            return;
        }
        synchronized (session) {
            if (session.ended() || proposal.round() < session.round()) {
                drop(proposal);
                return;
            }
            if (proposal.error() != null && proposal.error().code() == ErrorCode.STATE_NEEDED) {
                stateNeeded(session);
                return;
            }
            boolean awaited = session.awaitingDraft() && proposal.round() == session.round();
            if (!awaited && proposal.isPredraft()) {
                session.pipeline().hold(proposal, arrivedMicros); // early: verified at its round if its guess comes true
                return;
            }
            if (!awaited || !proposal.continues(session.state().tokens())) {
                if (awaited && session.pipeline().awaitingPredraft()) {
                    // the pre-draft guessed this round's start wrong: ask for an ordinary draft (deadline running)
                    session.pipeline().clear();
                    output.requestDraft(draftRequest(session, session.requestedDraft(), false, null));
                    return;
                }
                drop(proposal);
                return;
            }
            DraftSource source = new DraftSource(proposal.drafter(), session.draftArrived(),
                    proposal.timing() == null ? null : proposal.timing().stagesUntil(arrivedMicros));
            if (proposal.isPredraft()) {
                usePredraft(session, proposal, source);
            } else {
                use(session, proposal, source);
            }
        }
    }

    /**
     * Verifies a pre-draft whose guess came true, and asks its drafter for the pre-draft of the round after it (the
     * request names the tokens being verified, so the drafter pre-drafts from them and drafts nothing else).
     */
    private void usePredraft(Session session, DraftProposal predraft, DraftSource source) {
        int[] verifying = usableDraft(session, predraft.tokens());
        use(session, predraft, source);
        // after use(), which expects the pre-draft: a drafter that answers at once (STATE_NEEDED) cancels that
        if (verifying.length > 0 && !session.ended()) {
            output.requestDraft(draftRequest(session, session.requestedDraft(), false, verifying));
            session.successors().clear();
        }
    }

    private void drop(DraftProposal proposal) {
        LOG.debug("Dropping a stale or duplicate proposal for {} round {}", proposal.requestId(), proposal.round());
        statistics.droppedMessages.increment();
    }

    /**
     * A drafter lacked a delta's base (another replica, or one that forgot): drafters get the whole state next. When
     * a draft is awaited, it is asked for again at once (same round, same deadline).
     */
    private void stateNeeded(Session session) {
        statistics.stateResends.increment();
        session.drafterForgot();
        if (session.awaitingDraft()) {
            output.requestDraft(draftRequest(session, session.requestedDraft(), true, null));
        }
    }

    /** Verifies a proposal that continues the session's committed tokens. */
    private void use(Session session, DraftProposal proposal, DraftSource source) {
        if (proposal.error() != null && proposal.error().code() != ErrorCode.VOCABULARY_MISMATCH) {
            LOG.debug("Drafter {} could not propose for {}: {}", proposal.drafter(), session.id(), proposal.error().message());
            selfRound(session);
            return;
        }
        if (!vocabulary.equals(proposal.vocabulary())) {
            sessions.fail(session, ErrorCode.VOCABULARY_MISMATCH, "Drafter '" + proposal.drafter() + "' has vocabulary "
                    + proposal.vocabulary() + " but the verifier's model " + settings.modelName() + " has " + vocabulary
                    + "; it cannot draft for this model");
            return;
        }
        session.drafterAnswered();
        if (proposal.isPredraft()) {
            statistics.pipelinedRounds.increment();
        }
        if (proposal.isTree() && settings.treeBranches() > 1) {
            verifyTree(session, TokenTree.usable(proposal, model.vocabulary().size(), draftRoom(session),
                    settings.treeBranches(), engine.batchSize() - 1), source);
            return;
        }
        if (proposal.isTree()) { // a tree this verifier was not asked for: its first chain
            proposal = TokenTree.firstChain(proposal);
        }
        int[] draft = usableDraft(session, proposal.tokens());
        if (settings.pipelines(session.state().speculation()) && draft.length > 0) {
            // the drafter pre-drafts the round after this one from these tokens: expect it if they all pass
            session.pipeline().expect(session.state().tokens().length, draft);
        }
        verify(session, draft, proposal.proposesPointMasses() ? List.of() : proposal.distributions().subList(0, draft.length),
                source);
    }

    // ---- rounds -----------------------------------------------------------------------------------------------

    private void start(GenerateRequest request, int slot) {
        int[] prompt;
        try {
            prompt = request.promptTokens() != null && request.prompt() == null
                    ? request.promptTokens().clone()
                    : model.vocabulary().tokenize(request.prompt(), true, false);
        } catch (LlamaException e) {
            sessions.refuse(request, slot, new ProtocolError(ErrorCode.INVALID_REQUEST, "The prompt cannot be tokenized: " + e.getMessage()));
            return;
        }
        ProtocolError refused = RequestChecks.checkPrompt(prompt, model.vocabulary().size(), settings.sequenceContext());
        if (refused == null) {
            refused = RequestChecks.checkPenalties(request.processing(), model.vocabulary().size());
        }
        if (refused == null) {
            refused = RequestChecks.checkResumed(request.resumedTokens(), model.vocabulary().size());
        }
        if (refused != null) {
            sessions.refuse(request, slot, refused);
            return;
        }
        ResumedStart resumed = ResumedStart.of(request, prompt);
        GenerationState state = new GenerationState(request.requestId(), resumed.round(), request.replyTopic(), settings.modelName(),
                vocabulary, prompt.length, resumed.tokens(), request.maxTokens(), request.sampling(), request.stop(),
                request.speculation(), request.createdAtMillis(), request.deadlineAtMillis());
        CompletionTracker tracker = new CompletionTracker(model.vocabulary(), request.stop(), prompt.length, request.maxTokens(),
                settings.sequenceContext());
        // the draft text is aligned with the completion from its start: a resumed generation goes on without it
        DraftTextHint hint = resumed.isResumed() ? DraftTextHint.NONE
                : DraftTextHint.of(request, prompt, model.vocabulary(), settings.sequenceContext());
        Session session = new Session(request, slot, state, tracker, new AutoSpeculation(decodeCost, priors, sessions::running),
                new SuccessorCapture(settings.successorCandidates(), engine.batchSize()), hint);
        sessions.add(session);
        statistics.requests.increment();
        synchronized (session) {
            CompletionTracker.Commit had = resumed.prime(session);
            if (had != null && had.finish() != null) {
                sessions.finish(session, had.finish(), ""); // its first verifier had ended it: the client has all the text
                return;
            }
            long started = System.nanoTime();
            int[] context = resumed.tokens();
            Integer promptTop = resumed.isResumed() ? null : request.promptLogprobs();
            // logits at every prompt position only when the prompt's log-probabilities are asked for
            SequenceDecode prefill = promptTop == null ? SequenceDecode.last(slot, context, 0) : SequenceDecode.all(slot, context, 0);
            decode(session, prefill).thenAccept(logits -> {
                synchronized (session) {
                    if (session.ended()) {
                        return;
                    }
                    session.successors().learn(context[context.length - 1], logits.last());
                    SparseDistribution target = TargetRows.first(session.state(), request.processing(), logits.last());
                    int token = SpeculativeSampling.sampleTarget(target, session.state().sampling().seed(), session.nextPosition());
                    session.promptLogprobs(promptTop == null ? null : TokenLogprobs.of(model.vocabulary(),
                            Arrays.copyOfRange(prompt, 1, prompt.length), i -> logits.at(i), promptTop));
                    commit(session, new int[] {token}, 0, 0, DraftSource.NONE, (System.nanoTime() - started) / 1e6,
                            TargetRows.logprobs(request.logprobs(), model.vocabulary(), new int[] {token}, i -> logits.last()));
                }
            });
        }
    }

    /** Decodes the last committed token with {@code draft} and commits what verification accepts. */
    private void verify(Session session, int[] draft, List<SparseDistribution> proposals, DraftSource source) {
        int[] tokens = new int[draft.length + 1];
        tokens[0] = session.lastToken();
        System.arraycopy(draft, 0, tokens, 1, draft.length);
        int startPosition = session.nextPosition() - 1;
        long started = System.nanoTime();
        int round = session.round();
        decode(session, SequenceDecode.all(session.slot(), tokens, startPosition)).thenAccept(logits -> {
            synchronized (session) {
                if (session.ended() || session.round() != round) {
                    return;
                }
                for (int i = 0; i < tokens.length; i++) {
                    session.successors().learn(tokens[i], logits.at(i));
                }
                ChainVerification.Outcome outcome = ChainVerification.verify(draft, proposals,
                        TargetRows.chain(session.state(), session.request().processing(), logits, draft),
                        session.state().sampling().seed(), session.nextPosition());
                if (source.fromDrafter()) {
                    session.speculation().observe(session.state().speculation().drafter(), session.requestedDraft(), draft.length,
                            outcome.accepted(), source.hopMillis());
                }
                session.speculation().observeDecode(logits.decode());
                commit(session, outcome.tokens(), draft.length, outcome.accepted(), source, (System.nanoTime() - started) / 1e6,
                        TargetRows.logprobs(session.request().logprobs(), model.vocabulary(), outcome.tokens(), logits::at));
            }
        });
    }

    /**
     * Decodes the last committed token with a token tree in one decode (each branch its own KV sequence, shared
     * prefixes tagged with all of theirs), accepts a path by {@link TreeVerification}, keeps that path in the
     * session's sequence and frees the other branches.
     */
    private void verifyTree(Session session, TokenTree tree, DraftSource source) {
        if (tree.size() == 0) {
            selfRound(session);
            return;
        }
        int startPosition = session.nextPosition() - 1;
        int[] sequences = branches.of(session.slot(), tree.leaves());
        long started = System.nanoTime();
        int round = session.round();
        SequenceDecode decode = tree.decode(session.lastToken(), startPosition, sequences);
        decode(session, decode).thenAccept(logits -> {
            synchronized (session) {
                if (session.ended() || session.round() != round) {
                    return;
                }
                int[] decoded = decode.tokens();
                for (int i = 0; i < decoded.length; i++) {
                    session.successors().learn(decoded[i], logits.at(i));
                }
                TreeVerification.Outcome outcome = TreeVerification.verify(tree.tokens(), tree.parents(), tree.proposals(),
                        TargetRows.tree(session.state(), session.request().processing(), logits, tree.tokens(), tree.parents()),
                        session.state().sampling().seed(), session.nextPosition());
                branches.keepAccepted(session.id(), tree, outcome, startPosition, sequences);
                session.speculation().observe(session.state().speculation().drafter(), session.requestedDraft(), tree.depth(),
                        tree.size(), outcome.accepted(), source.hopMillis());
                session.speculation().observeDecode(logits.decode());
                commit(session, outcome.tokens(), tree.size(), outcome.accepted(), source, (System.nanoTime() - started) / 1e6,
                        TargetRows.logprobs(session.request().logprobs(), model.vocabulary(), outcome.tokens(),
                                TargetRows.treePathRows(logits, outcome.path())));
            }
        });
    }

    private void selfRound(Session session) {
        verify(session, new int[0], List.of(), DraftSource.NONE);
    }

    /** @param logprobs the tokens' log-probabilities, when the request asked for them (else null) */
    private void commit(Session session, int[] tokens, int drafted, int accepted, DraftSource source, double roundMillis,
                        List<GenerationEvent.TokenLogprob> logprobs) {
        int round = session.round();
        int position = session.tracker().completionTokens();
        int requested = session.isPrefill() ? 0 : session.requestedDraft();
        CompletionTracker.Commit commit = session.commit(tokens, drafted, accepted);
        int textOffset = session.send(commit.text());
        SpeculationStatistics.RoundRecord record = new SpeculationStatistics.RoundRecord(drafted, accepted, source.drafter(),
                roundMillis, source.hopMillis(), requested, source.stages());
        statistics.recordRound(record, commit.tokens().length);
        output.reply(session.request().replyTopic(), new GenerationEvent.Round(session.id(), round, commit.tokens(), commit.text(),
                new GenerationEvent.RoundStats(drafted, accepted, source.drafter(), roundMillis, source.hopMillis(), requested,
                        source.stages()), null,
                logprobs == null ? null : logprobs.subList(0, commit.tokens().length), session.promptLogprobsAt(position),
                position, textOffset));
        if (commit.finish() != null) {
            sessions.finish(session, commit.finish(), "");
            return;
        }
        if (sessions.pastDeadline(session)) {
            return;
        }
        next(session);
    }

    /**
     * Verifies the next chunk of the request's draft text while the committed tokens still follow it; otherwise asks
     * a drafter for the next round, or decodes it alone when drafters are timing out or the request's policy
     * (off, or automatic finding that no draft pays) says so.
     */
    private void next(Session session) {
        int[] hinted = session.hint().nextChunk(session.state(), draftRoom(session));
        if (hinted.length > 0) {
            session.requestDraft(hinted.length);
            verify(session, hinted, List.of(), DraftSource.DRAFT_TEXT);
            return;
        }
        if (session.backingOff()) {
            session.requestDraft(0);
            selfRound(session);
            return;
        }
        int k = session.speculation().choose(session.state().speculation(), draftRoom(session));
        session.requestDraft(k);
        int[] committed = session.state().tokens();
        DraftProposal ready = session.pipeline().take(session.round());
        if (ready != null && !ready.continues(committed)) {
            session.pipeline().clear(); // its guess did not come true: ask for an ordinary draft
            ready = null;
        }
        if (k == 0) {
            session.pipeline().clear();
            selfRound(session);
            return;
        }
        session.askDrafters();
        if (ready != null) {
            // the drafter guessed this round's start right: its pre-draft is here, no hop to wait for
            usePredraft(session, ready, new DraftSource(ready.drafter(), 0, ready.timing() == null ? null
                    : ready.timing().stagesUntil(session.pipeline().heldArrivedMicros())));
            return;
        }
        long requested = System.nanoTime();
        int round = session.round();
        session.awaitDraft(requested,
                timer.schedule(() -> onDraftTimeout(session, round), settings.draftTimeout().toNanos(), TimeUnit.NANOSECONDS));
        if (session.pipeline().awaitingPredraft(committed)) {
            return; // the last draft passed whole: its pre-draft for this round is on its way
        }
        session.pipeline().clear();
        output.requestDraft(draftRequest(session, k, false, null));
        session.successors().clear();
    }

    /**
     * The draft request for the session's round: the tokens committed since the drafter's last request, or the
     * whole state on the first request and when {@code whole} (a drafter that lacks the delta's base). With
     * {@code ahead} (the pre-draft being verified now), it asks only for the pre-draft of the round after.
     */
    private DraftRequest draftRequest(Session session, int k, boolean whole, int[] ahead) {
        GenerationState state = session.state();
        int[] tokens = state.tokens();
        int known = session.drafterLearns(tokens.length);
        boolean pipelined = settings.pipelines(state.speculation());
        // an ahead request is for the round after the one verifying those tokens
        int round = ahead == null || ahead.length == 0 ? state.round() : state.round() + 1;
        TokenDelta delta = whole || known == 0 || known > tokens.length ? null
                : new TokenDelta(known, Arrays.copyOfRange(tokens, known, tokens.length));
        return new DraftRequest(state.requestId(), round, delta == null ? state : null, delta, k, state.speculation().drafter(),
                DraftTiming.nowMicros(), session.successors().list(), settings.treeBranches(), pipelined, ahead);
    }

    private void onDraftTimeout(Session session, int round) {
        synchronized (session) {
            if (session.ended() || !session.awaitingDraft() || session.round() != round) {
                return;
            }
            session.draftTimedOut(); // backs off exponentially while drafters do not answer
            statistics.draftTimeouts.increment();
            LOG.debug("No draft for {} round {} within {}; decoding alone", session.id(), round, settings.draftTimeout());
            selfRound(session);
        }
    }

    /** Draft tokens worth verifying: within the vocabulary, the token budget and the context. */
    private int[] usableDraft(Session session, int[] draft) {
        int vocabularySize = model.vocabulary().size();
        int n = 0;
        while (n < draft.length && draft[n] >= 0 && draft[n] < vocabularySize) {
            n++;
        }
        return Arrays.copyOf(draft, Math.max(0, Math.min(n, draftRoom(session))));
    }

    /**
     * Draft tokens one round can verify: it commits at most one token beyond them, within the token budget and the
     * context, and the chain plus the last committed token must fit one decode.
     */
    private int draftRoom(Session session) {
        int budget = Math.min(session.state().remainingTokens() - 1, settings.sequenceContext() - session.nextPosition() - 1);
        return Math.min(budget, engine.batchSize() - 1);
    }

    private CompletableFuture<SequenceLogits> decode(Session session, SequenceDecode request) {
        return engine.decode(request).whenComplete((logits, failure) -> {
            if (failure != null) {
                sessions.failDecode(session, failure);
            }
        });
    }

    // ---- endings ----------------------------------------------------------------------------------------------

    /** What an ended session held: its draft deadline, the drafters' state for it, its KV cells. */
    private void release(Session session) {
        session.stopAwaitingDraft();
        if (session.askedDrafters()) {
            output.releaseDrafts(new DraftRelease(session.id()));
        }
        branches.free(session.id(), session.slot());
    }

    /** Ends every waiting and running generation with an error event; the engine is closed by its owner. */
    @Override
    public void close() {
        sessions.close();
    }
}
