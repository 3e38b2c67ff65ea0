package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * Verifier to drafter: propose up to {@code maxDraftTokens} tokens continuing {@code state.tokens()}.
 *
 * @param sentAtMillis when the verifier sent it (for the Kafka hop time in round statistics)
 * @param successors   per position the verifier decoded in the previous round, its model's top few next tokens
 *                     (optional: empty when the verifier sends none)
 * @param maxBranches  how many branches (leaves) a token tree may have; 0 or 1: propose a chain. A tree's branches
 *                     are each at most {@code maxDraftTokens} deep
 */
public record DraftRequest(GenerationState state, int maxDraftTokens, String drafter, long sentAtMillis,
                           List<Successors> successors, int maxBranches) implements DraftTopicRecord {

    public DraftRequest {
        successors = successors == null ? List.of() : List.copyOf(successors);
    }

    /** A request without successor candidates. */
    public DraftRequest(GenerationState state, int maxDraftTokens, String drafter, long sentAtMillis) {
        this(state, maxDraftTokens, drafter, sentAtMillis, List.of(), 0);
    }

    /** A request for a chain. */
    public DraftRequest(GenerationState state, int maxDraftTokens, String drafter, long sentAtMillis, List<Successors> successors) {
        this(state, maxDraftTokens, drafter, sentAtMillis, successors, 0);
    }

    @Override
    @JsonIgnore
    public String requestId() {
        return state.requestId();
    }
}
