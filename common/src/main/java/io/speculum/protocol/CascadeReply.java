package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The cascade router's one reply to a {@link CascadeRequest}: an {@code answer} or an {@code error}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = CascadeReply.Answer.class, name = "answer"),
    @JsonSubTypes.Type(value = CascadeReply.Error.class, name = "error")
})
public sealed interface CascadeReply {

    String requestId();

    enum Model { SMALL, LARGE }

    /**
     * @param answeredBy  whose text this is
     * @param deferred    the rule's decision: the score was above the threshold
     * @param undeferred  when deferred but answered by the small model (the large model failed or did not answer in
     *                    time and the router is configured to fall back): why; otherwise absent
     * @param rule        the deferral rule's name
     * @param score       the small answer's deferral score (capped at the largest double: an empty answer scores
     *                    infinitely high)
     * @param threshold   the threshold it was compared with
     * @param finishReason why the answering model stopped
     * @param costs       tokens spent per model
     */
    record Answer(String requestId, String text, Model answeredBy, boolean deferred, String undeferred, String rule,
                  double score, double threshold, GenerationEvent.FinishReason finishReason, Costs costs)
            implements CascadeReply {
    }

    /**
     * @param largeVerificationRounds the large model's verification rounds (forward passes after its prefill); with
     *                                the small answer as draft they are fewer than its completion tokens
     * @param largeDraftTokensAccepted tokens of the small answer (re-tokenised) and of drafters the large model accepted
     */
    record Costs(int smallPromptTokens, int smallCompletionTokens, int largePromptTokens, int largeCompletionTokens,
                 int largeVerificationRounds, int largeDraftTokensAccepted) {
    }

    /** The request failed; {@code code} as on the generation topics. */
    record Error(String requestId, ProtocolError.ErrorCode code, String message) implements CascadeReply {
    }
}
