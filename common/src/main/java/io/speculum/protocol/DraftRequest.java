package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Objects;

/**
 * Verifier to drafter: propose up to {@code maxDraftTokens} tokens continuing the generation's committed tokens.
 *
 * <p>The first request of a generation carries its whole {@code state}; later ones carry only a {@code delta}, the
 * tokens committed since the previous request, so bytes per round do not grow with the generation. A drafter
 * without the delta's base answers {@link ProtocolError.ErrorCode#STATE_NEEDED} and the verifier sends the whole
 * state for the same round: any replica can serve any round.
 *
 * @param requestId    the generation's id (also the Kafka key)
 * @param round        the verification round the draft is for
 * @param state        the whole generation state, or null when {@code delta} is sent instead
 * @param delta        the tokens committed since the request the drafter last saw, or null with {@code state}
 * @param sentAtMicros when the verifier sent it, µs since the epoch (the hop's first stamp)
 * @param successors   per position the verifier decoded in the previous round, its model's top few next tokens
 *                     (optional: empty when the verifier sends none)
 * @param maxBranches  how many branches (leaves) a token tree may have; 0 or 1: propose a chain. A tree's branches
 *                     are each at most {@code maxDraftTokens} deep
 * @param pipelined    also pre-draft the round after: continue the draft as if the verifier accepts all of it
 *                     (and the drafter's own guess of its next token), and send that as a second proposal, which the
 *                     verifier uses only where the guess came true (pipelined drafting; chains only)
 * @param ahead        draft tokens the verifier is verifying now, from this drafter's previous pre-draft: propose
 *                     no draft for the committed tokens, only the pre-draft that continues them (empty: none)
 */
public record DraftRequest(String requestId, int round, GenerationState state, TokenDelta delta, int maxDraftTokens,
                           String drafter, long sentAtMicros, List<Successors> successors, int maxBranches,
                           boolean pipelined, int[] ahead)
        implements DraftTopicRecord {

    public DraftRequest {
        Objects.requireNonNull(requestId, "requestId");
        if ((state == null) == (delta == null)) {
            throw new IllegalArgumentException("a draft request carries either the whole state or a delta");
        }
        successors = successors == null ? List.of() : List.copyOf(successors);
        ahead = ahead == null ? new int[0] : ahead;
    }

    /** A request that does not pipeline. */
    public DraftRequest(String requestId, int round, GenerationState state, TokenDelta delta, int maxDraftTokens,
                        String drafter, long sentAtMicros, List<Successors> successors, int maxBranches) {
        this(requestId, round, state, delta, maxDraftTokens, drafter, sentAtMicros, successors, maxBranches, false, null);
    }

    /** A request with the whole state. */
    public DraftRequest(GenerationState state, int maxDraftTokens, String drafter, long sentAtMicros,
                        List<Successors> successors, int maxBranches) {
        this(state.requestId(), state.round(), state, null, maxDraftTokens, drafter, sentAtMicros, successors, maxBranches);
    }

    /** A request with the whole state and without successor candidates. */
    public DraftRequest(GenerationState state, int maxDraftTokens, String drafter, long sentAtMicros) {
        this(state, maxDraftTokens, drafter, sentAtMicros, List.of(), 0);
    }

    /** A request for a chain, with the whole state. */
    public DraftRequest(GenerationState state, int maxDraftTokens, String drafter, long sentAtMicros, List<Successors> successors) {
        this(state, maxDraftTokens, drafter, sentAtMicros, successors, 0);
    }

    /** This request with {@code whole} (the state the delta leads to) in place of its delta. */
    public DraftRequest withState(GenerationState whole) {
        return new DraftRequest(requestId, round, whole, null, maxDraftTokens, drafter, sentAtMicros, successors, maxBranches,
                pipelined, ahead);
    }

    /** Asks only for the pre-draft continuing {@link #ahead} (the verifier is verifying those tokens now). */
    @JsonIgnore
    public boolean asksOnlyAhead() {
        return ahead.length > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DraftRequest r && round == r.round && maxDraftTokens == r.maxDraftTokens
                && sentAtMicros == r.sentAtMicros && maxBranches == r.maxBranches && pipelined == r.pipelined
                && requestId.equals(r.requestId) && Objects.equals(state, r.state) && Objects.equals(delta, r.delta)
                && Objects.equals(drafter, r.drafter) && successors.equals(r.successors) && java.util.Arrays.equals(ahead, r.ahead);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestId, round, delta);
    }

    /** Length of the generation's tokens the draft continues. */
    @JsonIgnore
    public int basis() {
        return state != null ? state.tokens().length : delta.length();
    }
}
