package io.speculum.verifier;

import io.speculum.generation.CompletionTracker;
import io.speculum.generation.GenerationSession;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.GenerationState;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * One generation the verifier serves: its state, where it stands in the round protocol (the draft awaited, what the
 * drafters know, the back-off while they time out) and its counts. Guarded by its own monitor.
 */
final class Session extends GenerationSession {

    /** Most rounds decoded alone after drafters timed out, before asking one again. */
    private static final int MAX_SELF_ROUNDS_AFTER_TIMEOUT = 64;

    /** The round of the prefill: 0, or the round a resumed generation goes on from. */
    private final int firstRound;
    /** Chooses each round's draft length under the request's policy. */
    private final AutoSpeculation speculation;
    /** Pre-drafts of later rounds (pipelined drafting). */
    private final DraftPipeline pipeline = new DraftPipeline();
    private final SuccessorCapture successors;
    private final DraftTextHint hint;
    private GenerationState state;

    /** The draft length asked for in the current round (0: decoding alone). */
    private int requestedDraft;
    /** A draft request for {@code state.round()} is out and no proposal has been taken for it yet. */
    private boolean awaitingDraft;
    private long draftRequestedNanos;
    private ScheduledFuture<?> draftDeadline;
    /** Tokens of this generation the drafters were last sent (0: none yet): the next request sends what follows. */
    private int drafterKnows;
    /** Some drafter was asked at least once: it may hold state for this request until released. */
    private boolean askedDrafters;
    /** Rounds to decode alone before asking a drafter again (grows while drafters time out). */
    private int selfRoundsLeft;
    private int consecutiveTimeouts;

    private int draftedTokens;
    private int acceptedTokens;
    private int verificationRounds;
    /** The prompt's log-probabilities for round 0's event, when asked for. */
    private List<GenerationEvent.TokenLogprob> promptLogprobs;

    Session(GenerateRequest request, int slot, GenerationState state, CompletionTracker tracker, AutoSpeculation speculation,
            SuccessorCapture successors, DraftTextHint hint) {
        super(request, slot, state.promptLength(), tracker);
        this.state = state;
        this.firstRound = state.round();
        this.speculation = speculation;
        this.successors = successors;
        this.hint = hint;
    }

    GenerationState state() {
        return state;
    }

    @Override
    public int round() {
        return state.round();
    }

    /** Rounds after the prefill, drafted and accepted tokens, and τ (tokens per verification round). */
    @Override
    public GenerationEvent.GenerationStats stats() {
        double tau = verificationRounds == 0 ? 0 : (double) (acceptedTokens + verificationRounds) / verificationRounds;
        return new GenerationEvent.GenerationStats(verificationRounds, draftedTokens, acceptedTokens, tau);
    }

    /** The last committed token: not yet in the KV cache, it is decoded with the next round's draft. */
    int lastToken() {
        return state.tokens()[state.tokens().length - 1];
    }

    /** Position of the next token to be produced. */
    int nextPosition() {
        return state.tokens().length;
    }

    /** This round is the prefill (its first round). */
    boolean isPrefill() {
        return state.round() == firstRound;
    }

    /**
     * Commits a round's tokens: up to where the generation ends, they extend the state (the next round) and the counts
     * of verification rounds, drafted and accepted tokens.
     */
    CompletionTracker.Commit commit(int[] tokens, int drafted, int accepted) {
        boolean prefill = isPrefill();
        CompletionTracker.Commit commit = tracker().commit(tokens);
        state = state.advance(commit.tokens());
        if (!prefill) {
            verificationRounds++;
        }
        draftedTokens += drafted;
        acceptedTokens += accepted;
        return commit;
    }

    void promptLogprobs(List<GenerationEvent.TokenLogprob> logprobs) {
        this.promptLogprobs = logprobs;
    }

    /** The prompt's log-probabilities for the event whose completion starts at {@code position}: only the first's. */
    List<GenerationEvent.TokenLogprob> promptLogprobsAt(int position) {
        return position == 0 ? promptLogprobs : null;
    }

    AutoSpeculation speculation() {
        return speculation;
    }

    DraftPipeline pipeline() {
        return pipeline;
    }

    SuccessorCapture successors() {
        return successors;
    }

    DraftTextHint hint() {
        return hint;
    }

    int requestedDraft() {
        return requestedDraft;
    }

    /** The draft length this round asks for (0: it decodes alone). */
    void requestDraft(int k) {
        requestedDraft = k;
    }

    // ---- the draft awaited --------------------------------------------------------------------------------------

    /** A draft request for this round went out at {@code requestedNanos}; {@code deadline} decodes alone if none comes. */
    void awaitDraft(long requestedNanos, ScheduledFuture<?> deadline) {
        awaitingDraft = true;
        draftRequestedNanos = requestedNanos;
        draftDeadline = deadline;
    }

    boolean awaitingDraft() {
        return awaitingDraft;
    }

    /** The awaited draft is here: its deadline is off. Returns the milliseconds since it was asked for (the hop). */
    double draftArrived() {
        awaitingDraft = false;
        cancelDeadline();
        return (System.nanoTime() - draftRequestedNanos) / 1e6;
    }

    /**
     * No draft came in time: pre-drafts are dropped and the next rounds decode alone, exponentially more of them
     * while drafters keep timing out (a late proposal for this round is dropped as stale).
     */
    void draftTimedOut() {
        awaitingDraft = false;
        draftDeadline = null;
        pipeline.clear();
        consecutiveTimeouts++;
        selfRoundsLeft = Math.min(MAX_SELF_ROUNDS_AFTER_TIMEOUT, (1 << Math.min(consecutiveTimeouts, 6)) - 1);
    }

    /** A drafter answered with a usable proposal: the back-off starts over. */
    void drafterAnswered() {
        consecutiveTimeouts = 0;
    }

    /** Whether this round decodes alone, backing off from drafters that timed out (counts the round off). */
    boolean backingOff() {
        if (selfRoundsLeft > 0) {
            selfRoundsLeft--;
            return true;
        }
        return false;
    }

    /** Ends the wait for a draft (the session ended). */
    void stopAwaitingDraft() {
        awaitingDraft = false;
        cancelDeadline();
    }

    private void cancelDeadline() {
        if (draftDeadline != null) {
            draftDeadline.cancel(false);
            draftDeadline = null;
        }
    }

    // ---- what drafters know -------------------------------------------------------------------------------------

    /** Drafters are asked for this session's drafts: they may hold state for it until released. */
    void askDrafters() {
        askedDrafters = true;
    }

    boolean askedDrafters() {
        return askedDrafters;
    }

    /** Drafters are sent the state up to {@code tokens}; returns how many tokens they knew before (0: none). */
    int drafterLearns(int tokens) {
        int known = drafterKnows;
        drafterKnows = tokens;
        return known;
    }

    /** A drafter lacked a delta's base: the next request sends the whole state, and no pre-draft is awaited. */
    void drafterForgot() {
        drafterKnows = 0;
        pipeline.clear();
    }
}
