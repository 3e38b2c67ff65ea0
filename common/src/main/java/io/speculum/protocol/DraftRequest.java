package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * Verifier to drafter: propose up to {@code maxDraftTokens} tokens continuing {@code state.tokens()}.
 *
 * @param sentAtMillis when the verifier sent it (for the Kafka hop time in round statistics)
 * @param successors   per position the verifier decoded in the previous round, its model's top few next tokens
 *                     (optional: empty when the verifier sends none)
 */
public record DraftRequest(GenerationState state, int maxDraftTokens, String drafter, long sentAtMillis,
                           List<Successors> successors) implements DraftTopicRecord {

    public DraftRequest {
        successors = successors == null ? List.of() : List.copyOf(successors);
    }

    /** A request without successor candidates. */
    public DraftRequest(GenerationState state, int maxDraftTokens, String drafter, long sentAtMillis) {
        this(state, maxDraftTokens, drafter, sentAtMillis, List.of());
    }

    @Override
    @JsonIgnore
    public String requestId() {
        return state.requestId();
    }
}
