package io.speculum.verifier;

import io.speculum.generation.CompletionTracker;
import io.speculum.generation.DecodeFailures;
import io.speculum.generation.RequestChecks;
import io.speculum.generation.SessionAdmission;
import io.speculum.generation.TokenLogprobs;
import io.speculum.llama.InferenceEngine;
import io.speculum.llama.LlamaException;
import io.speculum.llama.Model;
import io.speculum.llama.SequenceDecode;
import io.speculum.llama.SequenceLogits;
import io.speculum.math.ChainVerification;
import io.speculum.math.SparseDistribution;
import io.speculum.math.TokenSampler;
import io.speculum.math.TokenStatistics;
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
import io.speculum.protocol.Successors;
import io.speculum.protocol.TokenDelta;
import io.speculum.protocol.ProtocolError.ErrorCode;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
 * are recognised by (request id, round) and dropped; each request ends with exactly one terminal event.
 */
public final class SpeculativeVerifier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SpeculativeVerifier.class);
    private static final int MAX_SELF_ROUNDS_AFTER_TIMEOUT = 64;
    /** The drafter name rounds that verify the request's draft text report. */
    public static final String DRAFT_TEXT = "draft-text";
    private static final int DEFAULT_HINT_CHUNK = 8;
    /** Committed tokens that must recur in the draft text to pick it up again after it diverged. */
    private static final int HINT_MATCH = 3;

    private final Model model;
    private final InferenceEngine engine;
    private final VerifierSettings settings;
    private final VerifierOutput output;
    private final ScheduledExecutorService timer;
    private final SpeculationStatistics statistics = new SpeculationStatistics();
    private final String vocabulary;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SessionAdmission admission;
    private final CostCurve cost;
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
        this.admission = new SessionAdmission(settings.maxSessions(), settings.maxWaiting(), settings.finishedMemory());
        this.cost = cost;
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
        return sessions.size();
    }

    /** KV cells the engine holds now, once the work queued before this call has run (finished sessions hold none). */
    public CompletableFuture<Integer> cachedCells() {
        return engine.submit(context -> context.usedCells());
    }

    /** Generations waiting for a free session. */
    public int waitingRequests() {
        return admission.waiting();
    }

    // ---- requests ---------------------------------------------------------------------------------------------

    public void onGenerate(GenerateRequest request) {
        if (request.requestId() == null || request.requestId().isBlank() || request.replyTopic() == null || request.replyTopic().isBlank()) {
            LOG.warn("Dropping a generate request without request id or reply topic");
            statistics.droppedMessages.increment();
            return;
        }
        ProtocolError invalid = RequestChecks.check(request, settings.modelName(), settings.maxTokens());
        if (invalid != null) {
            reject(request, invalid.code(), invalid.message());
            return;
        }
        switch (admission.admit(request)) {
            case SessionAdmission.Start start -> start(request, start.slot());
            case SessionAdmission.Queued queued -> LOG.debug("{} waits for a session ({} waiting)", request.requestId(), queued.position());
            case SessionAdmission.Duplicate duplicate -> {
                LOG.debug("Dropping a duplicate of request {}", request.requestId());
                statistics.droppedMessages.increment();
            }
            case SessionAdmission.Overloaded overloaded -> {
                statistics.rejectedRequests.increment();
                output.reply(request.replyTopic(), new GenerationEvent.Error(request.requestId(), 0, ErrorCode.OVERLOADED,
                        overloaded.message("verifier")));
            }
        }
    }

    public void onCancel(CancelRequest cancel) {
        GenerateRequest queued = admission.cancelWaiting(cancel.requestId());
        if (queued != null) {
            output.reply(queued.replyTopic(), GenerationEvent.Done.cancelledWhileWaiting(queued.requestId()));
            return;
        }
        Session session = sessions.get(cancel.requestId());
        if (session == null) {
            statistics.droppedMessages.increment();
            return;
        }
        synchronized (session) {
            finish(session, FinishReason.CANCELLED, session.tracker.flush());
        }
    }

    public void onProposal(DraftProposal proposal) {
        long arrivedMicros = DraftTiming.nowMicros();
        Session session = sessions.get(proposal.requestId());
        if (session == null) {
            statistics.droppedMessages.increment();
            return;
        }
        synchronized (session) {
            if (session.finished || proposal.round() < session.state.round()) {
                drop(proposal);
                return;
            }
            if (proposal.error() != null && proposal.error().code() == ErrorCode.STATE_NEEDED) {
                stateNeeded(session);
                return;
            }
            boolean awaited = session.awaitingDraft && proposal.round() == session.state.round();
            if (!awaited && proposal.isPredraft()) {
                session.pipeline.hold(proposal, arrivedMicros); // early: verified at its round if its guess comes true
                return;
            }
            if (!awaited || !proposal.continues(session.state.tokens())) {
                if (awaited && session.pipeline.awaitingPredraft()) {
                    // the pre-draft guessed this round's start wrong: ask for an ordinary draft (deadline running)
                    session.pipeline.clear();
                    output.requestDraft(draftRequest(session, session.requestedDraft, false, null));
                    return;
                }
                drop(proposal);
                return;
            }
            session.awaitingDraft = false;
            session.cancelDeadline();
            DraftSource source = new DraftSource(proposal.drafter(), (System.nanoTime() - session.draftRequestedNanos) / 1e6,
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
        if (verifying.length > 0 && !session.finished) {
            output.requestDraft(draftRequest(session, session.requestedDraft, false, verifying));
            session.successors.clear();
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
        session.drafterKnows = 0;
        session.pipeline.clear();
        if (session.awaitingDraft) {
            output.requestDraft(draftRequest(session, session.requestedDraft, true, null));
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
            fail(session, ErrorCode.VOCABULARY_MISMATCH, "Drafter '" + proposal.drafter() + "' has vocabulary "
                    + proposal.vocabulary() + " but the verifier's model " + settings.modelName() + " has " + vocabulary
                    + "; it cannot draft for this model");
            return;
        }
        session.consecutiveTimeouts = 0;
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
        if (settings.pipelines(session.state.speculation()) && draft.length > 0) {
            // the drafter pre-drafts the round after this one from these tokens: expect it if they all pass
            session.pipeline.expect(session.state.tokens().length, draft);
        }
        verify(session, draft, proposal.proposesPointMasses() ? java.util.List.of() : proposal.distributions().subList(0, draft.length),
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
            releaseAndReject(request, slot, ErrorCode.INVALID_REQUEST, "The prompt cannot be tokenized: " + e.getMessage());
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
            releaseAndReject(request, slot, refused.code(), refused.message());
            return;
        }
        ResumedStart resumed = ResumedStart.of(request, prompt);
        GenerationState state = new GenerationState(request.requestId(), resumed.round(), request.replyTopic(), settings.modelName(),
                vocabulary, prompt.length, resumed.tokens(), request.maxTokens(), request.sampling(), request.stop(),
                request.speculation(), request.createdAtMillis(), request.deadlineAtMillis());
        CompletionTracker tracker = new CompletionTracker(model.vocabulary(), request.stop(), prompt.length, request.maxTokens(),
                settings.sequenceContext());
        Session session = new Session(request, slot, state, tracker, new AutoSpeculation(cost, priors));
        session.firstRound = resumed.round();
        // the draft text is aligned with the completion from its start: a resumed generation goes on without it
        session.hint = resumed.isResumed() ? new int[0] : hintTokens(request, prompt);
        session.hintAligned = session.hint.length > 0;
        sessions.put(request.requestId(), session);
        statistics.requests.increment();
        synchronized (session) {
            CompletionTracker.Commit had = resumed.prime(session);
            if (had != null && had.finish() != null) {
                finish(session, had.finish(), ""); // its first verifier had ended it: the client has all the text
                return;
            }
            long started = System.nanoTime();
            int[] context = resumed.tokens();
            Integer promptTop = resumed.isResumed() ? null : request.promptLogprobs();
            // logits at every prompt position only when the prompt's log-probabilities are asked for
            SequenceDecode prefill = promptTop == null ? SequenceDecode.last(slot, context, 0) : SequenceDecode.all(slot, context, 0);
            decode(session, prefill).thenAccept(logits -> {
                synchronized (session) {
                    if (session.finished) {
                        return;
                    }
                    learnSuccessors(session, context[context.length - 1], logits.last());
                    SparseDistribution target = TargetRows.first(session.state, request.processing(), logits.last());
                    int token = SpeculativeSampling.sampleTarget(target, session.state.sampling().seed(), session.nextPosition());
                    session.promptLogprobs = promptTop == null ? null : TokenLogprobs.of(model.vocabulary(),
                            Arrays.copyOfRange(prompt, 1, prompt.length), i -> logits.at(i), promptTop);
                    commit(session, new int[] {token}, 0, 0, DraftSource.NONE, (System.nanoTime() - started) / 1e6,
                            TargetRows.logprobs(request.logprobs(), model.vocabulary(), new int[] {token}, i -> logits.last()));
                }
            });
        }
    }

    /** Decodes the last committed token with {@code draft} and commits what verification accepts. */
    private void verify(Session session, int[] draft, java.util.List<SparseDistribution> proposals, DraftSource source) {
        int[] tokens = new int[draft.length + 1];
        tokens[0] = session.lastToken();
        System.arraycopy(draft, 0, tokens, 1, draft.length);
        int startPosition = session.nextPosition() - 1;
        long started = System.nanoTime();
        int round = session.state.round();
        decode(session, SequenceDecode.all(session.slot, tokens, startPosition)).thenAccept(logits -> {
            synchronized (session) {
                if (session.finished || session.state.round() != round) {
                    return;
                }
                for (int i = 0; i < tokens.length; i++) {
                    learnSuccessors(session, tokens[i], logits.at(i));
                }
                ChainVerification.Outcome outcome = ChainVerification.verify(draft, proposals,
                        TargetRows.chain(session.state, session.request.processing(), logits, draft),
                        session.state.sampling().seed(), session.nextPosition());
                if (source.fromDrafter()) {
                    session.speculation.observe(session.state.speculation().drafter(), session.requestedDraft, draft.length,
                            outcome.accepted(), source.hopMillis());
                }
                commit(session, outcome.tokens(), draft.length, outcome.accepted(), source, (System.nanoTime() - started) / 1e6,
                        TargetRows.logprobs(session.request.logprobs(), model.vocabulary(), outcome.tokens(), logits::at));
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
        int[] sequences = new int[tree.leaves()];
        for (int b = 0; b < sequences.length; b++) {
            sequences[b] = branchSequence(session.slot, b);
        }
        long started = System.nanoTime();
        int round = session.state.round();
        SequenceDecode decode = tree.decode(session.lastToken(), startPosition, sequences);
        decode(session, decode).thenAccept(logits -> {
            synchronized (session) {
                if (session.finished || session.state.round() != round) {
                    return;
                }
                int[] decoded = decode.tokens();
                for (int i = 0; i < decoded.length; i++) {
                    learnSuccessors(session, decoded[i], logits.at(i));
                }
                TreeVerification.Outcome outcome = TreeVerification.verify(tree.tokens(), tree.parents(), tree.proposals(),
                        TargetRows.tree(session.state, session.request.processing(), logits, tree.tokens(), tree.parents()),
                        session.state.sampling().seed(), session.nextPosition());
                keepBranch(session, tree, outcome, startPosition, sequences);
                session.speculation.observe(session.state.speculation().drafter(), session.requestedDraft, tree.depth(),
                        tree.size(), outcome.accepted(), source.hopMillis());
                commit(session, outcome.tokens(), tree.size(), outcome.accepted(), source, (System.nanoTime() - started) / 1e6,
                        TargetRows.logprobs(session.request.logprobs(), model.vocabulary(), outcome.tokens(),
                                TargetRows.treePathRows(logits, outcome.path())));
            }
        });
    }

    /**
     * Makes the session's own sequence hold the accepted path (when it ended on another branch) and empties the other
     * branches' sequences, before any later decode of the session (the engine runs work in order).
     */
    private void keepBranch(Session session, TokenTree tree, TreeVerification.Outcome outcome, int startPosition, int[] sequences) {
        int lastNode = outcome.accepted() == 0 ? TreeVerification.ROOT : outcome.path()[outcome.accepted() - 1];
        int branch = tree.firstBranchThrough(lastNode);
        int main = sequences[0];
        int from = startPosition + 1;
        int to = from + outcome.accepted();
        engine.submit(context -> {
            if (branch != 0) {
                context.truncate(main, from);
                context.copySequence(sequences[branch], main, from, to);
            }
            for (int b = 1; b < sequences.length; b++) {
                context.clearSequence(sequences[b]);
            }
            return null;
        }).exceptionally(failure -> {
            LOG.warn("Keeping the accepted tree branch for {} failed", session.id(), failure);
            return null;
        });
    }

    /** The KV sequence of tree branch {@code branch} of the session in {@code slot}: branch 0 is the session's own. */
    private int branchSequence(int slot, int branch) {
        return branch == 0 ? slot : settings.maxSessions() + slot * (settings.treeBranches() - 1) + branch - 1;
    }

    private void selfRound(Session session) {
        verify(session, new int[0], java.util.List.of(), DraftSource.NONE);
    }

    /** @param logprobs the tokens' log-probabilities, when the request asked for them (else null) */
    private void commit(Session session, int[] tokens, int drafted, int accepted, DraftSource source, double roundMillis,
                        java.util.List<GenerationEvent.TokenLogprob> logprobs) {
        int round = session.state.round();
        int position = session.tracker.completionTokens();
        CompletionTracker.Commit commit = session.tracker.commit(tokens);
        session.state = session.state.advance(commit.tokens());
        boolean prefill = round == session.firstRound;
        if (!prefill) {
            session.verificationRounds++;
        }
        session.draftedTokens += drafted;
        session.acceptedTokens += accepted;
        int requested = prefill ? 0 : session.requestedDraft;
        int textOffset = session.sentCodePoints;
        session.sentCodePoints += commit.text().codePointCount(0, commit.text().length());
        SpeculationStatistics.RoundRecord record = new SpeculationStatistics.RoundRecord(drafted, accepted, source.drafter(),
                roundMillis, source.hopMillis(), requested, source.stages());
        statistics.recordRound(record, commit.tokens().length);
        output.reply(session.request.replyTopic(), new GenerationEvent.Round(session.id(), round, commit.tokens(), commit.text(),
                new GenerationEvent.RoundStats(drafted, accepted, source.drafter(), roundMillis, source.hopMillis(), requested,
                        source.stages()), null,
                logprobs == null ? null : logprobs.subList(0, commit.tokens().length), position == 0 ? session.promptLogprobs : null,
                position, textOffset));
        if (commit.finish() != null) {
            finish(session, commit.finish(), "");
            return;
        }
        long deadline = session.state.deadlineAtMillis();
        if (deadline > 0 && System.currentTimeMillis() > deadline) {
            fail(session, ErrorCode.DEADLINE_EXCEEDED, "The request's deadline passed after " + session.tracker.completionTokens() + " tokens");
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
        int[] hinted = nextHintChunk(session);
        if (hinted.length > 0) {
            session.requestedDraft = hinted.length;
            verify(session, hinted, java.util.List.of(), DraftSource.DRAFT_TEXT);
            return;
        }
        if (session.selfRoundsLeft > 0) {
            session.selfRoundsLeft--;
            session.requestedDraft = 0;
            selfRound(session);
            return;
        }
        int k = session.speculation.choose(session.state.speculation(), draftRoom(session));
        session.requestedDraft = k;
        int[] committed = session.state.tokens();
        DraftProposal ready = session.pipeline.take(session.state.round());
        if (ready != null && !ready.continues(committed)) {
            session.pipeline.clear(); // its guess did not come true: ask for an ordinary draft
            ready = null;
        }
        if (k == 0) {
            session.pipeline.clear();
            selfRound(session);
            return;
        }
        session.askedDrafters = true;
        if (ready != null) {
            // the drafter guessed this round's start right: its pre-draft is here, no hop to wait for
            usePredraft(session, ready, new DraftSource(ready.drafter(), 0, ready.timing() == null ? null
                    : ready.timing().stagesUntil(session.pipeline.heldArrivedMicros())));
            return;
        }
        session.awaitingDraft = true;
        session.draftRequestedNanos = System.nanoTime();
        int round = session.state.round();
        session.draftDeadline = timer.schedule(() -> onDraftTimeout(session, round), settings.draftTimeout().toNanos(), TimeUnit.NANOSECONDS);
        if (session.pipeline.awaitingPredraft(committed)) {
            return; // the last draft passed whole: its pre-draft for this round is on its way
        }
        session.pipeline.clear();
        output.requestDraft(draftRequest(session, k, false, null));
        session.successors.clear();
    }

    /**
     * The draft request for the session's round: the tokens committed since the drafter's last request, or the
     * whole state on the first request and when {@code whole} (a drafter that lacks the delta's base). With
     * {@code ahead} (the pre-draft being verified now), it asks only for the pre-draft of the round after.
     */
    private DraftRequest draftRequest(Session session, int k, boolean whole, int[] ahead) {
        GenerationState state = session.state;
        int[] tokens = state.tokens();
        int known = session.drafterKnows;
        session.drafterKnows = tokens.length;
        boolean pipelined = settings.pipelines(state.speculation());
        // an ahead request is for the round after the one verifying those tokens
        int round = ahead == null || ahead.length == 0 ? state.round() : state.round() + 1;
        TokenDelta delta = whole || known == 0 || known > tokens.length ? null
                : new TokenDelta(known, Arrays.copyOfRange(tokens, known, tokens.length));
        return new DraftRequest(state.requestId(), round, delta == null ? state : null, delta, k, state.speculation().drafter(),
                DraftTiming.nowMicros(), session.successors, settings.treeBranches(), pipelined, ahead);
    }

    private void onDraftTimeout(Session session, int round) {
        synchronized (session) {
            if (session.finished || !session.awaitingDraft || session.state.round() != round) {
                return;
            }
            session.awaitingDraft = false;
            session.draftDeadline = null;
            session.pipeline.clear();
            session.consecutiveTimeouts++;
            // back off exponentially while drafters do not answer; a late proposal for this round is dropped as stale
            session.selfRoundsLeft = Math.min(MAX_SELF_ROUNDS_AFTER_TIMEOUT, (1 << Math.min(session.consecutiveTimeouts, 6)) - 1);
            statistics.draftTimeouts.increment();
            LOG.debug("No draft for {} round {} within {}; decoding alone", session.id(), round, settings.draftTimeout());
            selfRound(session);
        }
    }

    /**
     * Keeps the target's top next tokens after {@code token} for the next draft request: rejected draft positions
     * included, they are what token recycling learns from. Bounded: only the latest positions are kept.
     */
    private void learnSuccessors(Session session, int token, float[] logits) {
        int n = settings.successorCandidates();
        if (n == 0) {
            return;
        }
        if (session.successors.size() >= engine.batchSize()) {
            session.successors.removeFirst();
        }
        session.successors.add(new Successors(token, TokenStatistics.topN(logits, n).ids()));
    }

    /**
     * The request's draft text in this model's tokens, as the continuation of {@code prompt}: the prompt text and the
     * draft text are tokenised together (a SentencePiece vocabulary spells a word at the start of a text otherwise
     * than after other text) and the tokens after the prompt's are the hint. A draft text that cannot be tokenised,
     * or whose joint tokenisation does not start with the prompt's tokens, gives no hint: it is only an optimisation.
     */
    private int[] hintTokens(GenerateRequest request, int[] prompt) {
        String text = request.draftText();
        if (text == null || text.isEmpty()) {
            return new int[0];
        }
        try {
            String promptText = request.prompt() != null ? request.prompt() : model.vocabulary().detokenize(prompt, true, false);
            int[] joint = model.vocabulary().tokenize(promptText + text, true, false);
            if (joint.length <= prompt.length || !Arrays.equals(joint, 0, prompt.length, prompt, 0, prompt.length)) {
                LOG.debug("The draft text of {} does not continue its prompt's tokens; verifying without it", request.requestId());
                return new int[0];
            }
            // all of it up to the context: after a divergence, phrases from anywhere in it can be picked up again
            return Arrays.copyOfRange(joint, prompt.length, Math.min(joint.length, settings.sequenceContext()));
        } catch (LlamaException e) {
            LOG.debug("The draft text of {} cannot be tokenised ({}); verifying without it", request.requestId(), e.getMessage());
            return new int[0];
        }
    }

    /**
     * The next hint tokens to verify, in chunks of the policy's {@code maxDraftTokens}: where the committed
     * completion still equals the hint's prefix, the tokens after it; once they differ, the tokens after the next
     * place in the hint where the last {@value #HINT_MATCH} committed tokens occur (the small answer often says the
     * same phrase a little later or earlier); none where they occur nowhere or the hint is used up.
     */
    private int[] nextHintChunk(Session session) {
        int[] hint = session.hint;
        if (hint.length == 0) {
            return new int[0];
        }
        int[] tokens = session.state.tokens();
        int completed = tokens.length - session.state.promptLength();
        int from = -1;
        if (session.hintAligned) {
            for (int i = session.hintChecked; i < completed && session.hintAligned; i++) {
                session.hintAligned = i < hint.length && tokens[session.state.promptLength() + i] == hint[i];
            }
            if (session.hintAligned) {
                session.hintChecked = completed;
                from = completed;
            }
        }
        if (from < 0) {
            from = matchEnd(hint, tokens, session.hintCursor);
            if (from < 0 && session.hintCursor > 0) {
                from = matchEnd(hint, tokens, 0);
            }
        }
        int k = session.state.speculation().maxDraftTokens() > 0 ? session.state.speculation().maxDraftTokens() : DEFAULT_HINT_CHUNK;
        int n = from < 0 ? 0 : Math.min(Math.min(k, hint.length - from), draftRoom(session));
        if (n <= 0) {
            return new int[0];
        }
        session.hintCursor = from;
        return Arrays.copyOfRange(hint, from, from + n);
    }

    /** The hint position right after the first occurrence, ending at {@code from} or later, of the committed tail. */
    private static int matchEnd(int[] hint, int[] tokens, int from) {
        if (tokens.length < HINT_MATCH) {
            return -1;
        }
        for (int end = Math.max(HINT_MATCH, from); end < hint.length; end++) {
            if (Arrays.equals(hint, end - HINT_MATCH, end, tokens, tokens.length - HINT_MATCH, tokens.length)) {
                return end;
            }
        }
        return -1;
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
        int budget = Math.min(session.state.remainingTokens() - 1, settings.sequenceContext() - session.nextPosition() - 1);
        return Math.min(budget, engine.batchSize() - 1);
    }

    private CompletableFuture<SequenceLogits> decode(Session session, SequenceDecode request) {
        return engine.decode(request).whenComplete((logits, failure) -> {
            if (failure != null) {
                Throwable cause = DecodeFailures.cause(failure);
                ProtocolError error = DecodeFailures.toError(cause, "verifier");
                if (error.code() == ErrorCode.INTERNAL) {
                    LOG.warn("Decoding for {} failed", session.id(), cause);
                }
                synchronized (session) {
                    fail(session, error.code(), error.message());
                }
            }
        });
    }

    // ---- endings ----------------------------------------------------------------------------------------------

    private void finish(Session session, FinishReason reason, String text) {
        if (session.finished) {
            return;
        }
        end(session);
        int completion = session.tracker.completionTokens();
        double tau = session.verificationRounds == 0 ? 0
                : (double) (session.acceptedTokens + session.verificationRounds) / session.verificationRounds;
        output.reply(session.request.replyTopic(), new GenerationEvent.Done(session.id(), session.state.round(), reason, text,
                new GenerationEvent.Usage(session.state.promptLength(), completion),
                new GenerationEvent.GenerationStats(session.verificationRounds, session.draftedTokens, session.acceptedTokens, tau)));
    }

    private void fail(Session session, ErrorCode code, String message) {
        if (session.finished) {
            return;
        }
        end(session);
        output.reply(session.request.replyTopic(), new GenerationEvent.Error(session.id(), session.state.round(), code, message));
    }

    private void end(Session session) {
        session.finished = true;
        session.awaitingDraft = false;
        session.cancelDeadline();
        sessions.remove(session.id());
        if (session.askedDrafters) {
            output.releaseDrafts(new DraftRelease(session.id()));
        }
        freeCells(session);
        handOver(admission.release(session.id(), session.slot));
    }

    /**
     * Empties the finished session's KV sequences (before the next session on its slot starts: the engine runs work in
     * order). Every request prefills from position 0, so the cells are of no further use, and every decode attends over
     * all cells up to the highest in use: left behind, they slowed every other session's decodes (sessions rotate
     * through the slots, so 16 sessions' stale cells piled up and a one-request round took twice the decode it needs).
     */
    private void freeCells(Session session) {
        int slot = session.slot;
        engine.submit(context -> {
            for (int branch = 0; branch < settings.treeBranches(); branch++) {
                context.clearSequence(branchSequence(slot, branch));
            }
            return null;
        }).exceptionally(failure -> {
            LOG.debug("Freeing the cells of {} failed", session.id(), failure);
            return null;
        });
    }

    private void handOver(SessionAdmission.Handover next) {
        if (next != null) {
            timer.execute(() -> startWaiting(next.request(), next.slot()));
        }
    }

    private void startWaiting(GenerateRequest request, int slot) {
        if (request.deadlineAtMillis() > 0 && System.currentTimeMillis() > request.deadlineAtMillis()) {
            releaseAndReject(request, slot, ErrorCode.DEADLINE_EXCEEDED, "The request's deadline passed while it waited for capacity");
            return;
        }
        start(request, slot);
    }

    private void releaseAndReject(GenerateRequest request, int slot, ErrorCode code, String message) {
        reject(request, code, message);
        handOver(admission.release(request.requestId(), slot));
    }

    private void reject(GenerateRequest request, ErrorCode code, String message) {
        admission.refused(request.requestId());
        statistics.rejectedRequests.increment();
        output.reply(request.replyTopic(), new GenerationEvent.Error(request.requestId(), 0, code, message));
    }

    // ---- validation -------------------------------------------------------------------------------------------

    @Override
    public void close() {
        for (GenerateRequest waiting : admission.drainWaiting()) {
            statistics.rejectedRequests.increment();
            output.reply(waiting.replyTopic(), new GenerationEvent.Error(waiting.requestId(), 0, ErrorCode.INTERNAL,
                    "The verifier is shutting down"));
        }
        for (Session session : sessions.values()) {
            synchronized (session) {
                fail(session, ErrorCode.INTERNAL, "The verifier is shutting down");
            }
        }
    }
}
