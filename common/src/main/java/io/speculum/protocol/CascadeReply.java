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

    /** Whose text the answer is; {@code MIXED}: both models' (token-level routing). */
    enum Model { SMALL, LARGE, MIXED }

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
     * @param routing     the request's routing mode ({@code DEFER} when absent)
     * @param lossy       true for {@code TOKEN} routing: the text mixes both models' and equals neither one's own (always
     *                    set from {@code routing}; boxed so that replies of routers before it read)
     * @param tokenRouting for {@code TOKEN} routing: tokens per model in the answer and the hand-offs; else absent
     */
    record Answer(String requestId, String text, Model answeredBy, boolean deferred, String undeferred, String rule,
                  double score, double threshold, GenerationEvent.FinishReason finishReason, Costs costs,
                  CascadeRouting routing, Boolean lossy, TokenRouting tokenRouting)
            implements CascadeReply {

        public Answer {
            routing = routing == null ? CascadeRouting.DEFER : routing;
            lossy = routing.lossy();
        }

        /** A deferring request's answer. */
        public Answer(String requestId, String text, Model answeredBy, boolean deferred, String undeferred, String rule,
                      double score, double threshold, GenerationEvent.FinishReason finishReason, Costs costs) {
            this(requestId, text, answeredBy, deferred, undeferred, rule, score, threshold, finishReason, costs,
                    CascadeRouting.DEFER, false, null);
        }
    }

    /**
     * How a token-routed answer was made (lossy).
     *
     * @param smallTokens         the small model's tokens in the answer
     * @param largeTokens         the large model's tokens in the answer
     * @param handoffs            how often the small model handed over to the large one (each time for up to the
     *                            router's {@code token-span} tokens)
     * @param handoffLimitReached the router's {@code max-handoffs} was reached and the small model finished alone
     */
    record TokenRouting(int smallTokens, int largeTokens, int handoffs, boolean handoffLimitReached) {
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
