package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Verifier to drafter: propose up to {@code maxDraftTokens} tokens continuing {@code state.tokens()}.
 *
 * @param sentAtMillis when the verifier sent it (for the Kafka hop time in round statistics)
 */
public record DraftRequest(GenerationState state, int maxDraftTokens, String drafter, long sentAtMillis) implements DraftTopicRecord {

    @Override
    @JsonIgnore
    public String requestId() {
        return state.requestId();
    }
}
