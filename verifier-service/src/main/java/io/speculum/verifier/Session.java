package io.speculum.verifier;

import io.speculum.generation.CompletionTracker;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationState;
import io.speculum.protocol.Successors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/** One generation being served: its state and where it stands in the round protocol. Guarded by its own monitor. */
final class Session {

    final GenerateRequest request;
    final int slot;
    final CompletionTracker tracker;
    final long startedNanos;
    GenerationState state;
    /** A draft request for {@code state.round()} is out and no proposal has been taken for it yet. */
    boolean awaitingDraft;
    long draftRequestedNanos;
    /** Tokens of this generation the drafters were last sent (0: none yet): the next request sends what follows. */
    int drafterKnows;
    /** Pre-drafts of later rounds (pipelined drafting). */
    final DraftPipeline pipeline = new DraftPipeline();
    /** Some drafter was asked at least once: it may hold state for this request until released. */
    boolean askedDrafters;
    ScheduledFuture<?> draftDeadline;
    /** Rounds to decode alone before asking a drafter again (grows while drafters time out). */
    int selfRoundsLeft;
    int consecutiveTimeouts;
    boolean finished;
    /** What the target ranked next at the positions decoded since the last draft request (for token recycling). */
    final List<Successors> successors = new ArrayList<>();
    int draftedTokens;
    int acceptedTokens;
    int verificationRounds;
    /** The request's draft text in the verifier's tokens (completion positions 0..), or empty. */
    int[] hint = new int[0];
    /** Completion tokens already compared with the hint. */
    int hintChecked;
    /** The committed completion still equals the hint's prefix. */
    boolean hintAligned;
    /** Where in the hint the last verified chunk started (matches are looked for from there on first). */
    int hintCursor;

    /** The round of the prefill: 0, or the round a resumed generation goes on from. */
    int firstRound;
    /** Unicode code points of completion text sent so far (resumed text included): the next event's text offset. */
    int sentCodePoints;

    /** The prompt's log-probabilities for round 0's event, when asked for. */
    List<io.speculum.protocol.GenerationEvent.TokenLogprob> promptLogprobs;

    /** Chooses each round's draft length under the request's policy. */
    final AutoSpeculation speculation;
    /** The draft length asked for in the current round (0: decoding alone). */
    int requestedDraft;

    Session(GenerateRequest request, int slot, GenerationState state, CompletionTracker tracker, AutoSpeculation speculation) {
        this.request = request;
        this.speculation = speculation;
        this.slot = slot;
        this.state = state;
        this.tracker = tracker;
        this.startedNanos = System.nanoTime();
    }

    String id() {
        return request.requestId();
    }

    /** The last committed token: not yet in the KV cache, it is decoded with the next round's draft. */
    int lastToken() {
        return state.tokens()[state.tokens().length - 1];
    }

    /** Position of the next token to be produced. */
    int nextPosition() {
        return state.tokens().length;
    }

    void cancelDeadline() {
        if (draftDeadline != null) {
            draftDeadline.cancel(false);
            draftDeadline = null;
        }
    }
}
