package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * What a client reads on its reply topic: {@code round} events with committed tokens and text, then exactly one
 * terminal event, {@code done} or {@code error}. Round events carry the completion position of their first token and
 * the offset of their text, so a consumer forwards each position once: after at-least-once delivery, and when another
 * verifier replica goes on with (or replays) a generation whose first verifier died.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = GenerationEvent.Round.class, name = "round"),
    @JsonSubTypes.Type(value = GenerationEvent.Done.class, name = "done"),
    @JsonSubTypes.Type(value = GenerationEvent.Error.class, name = "error")
})
public sealed interface GenerationEvent {

    String requestId();

    int round();

    default boolean ends() {
        return !(this instanceof Round);
    }

    /**
     * Tokens committed by one round and the text they complete (UTF-8 safe: a character split across tokens is
     * sent whole, in the event that completes it; text that could begin a stop string is held back until it cannot).
     *
     * @param confidence one entry per committed token where the service reports it (small-model generation on
     *                   {@link Topics#SMALL_GENERATE} does), otherwise absent
     * @param logprobs   one entry per committed token when the request asked for log-probabilities, otherwise absent
     * @param promptLogprobs the event at position 0 only, when the request asked for them: one entry per prompt token
     *                   after the first
     * @param position   the completion position of {@code tokens[0]} (completion tokens committed before this event)
     * @param textOffset the completion text sent before {@code text}, in Unicode code points: the text of positions
     *                   below {@code position} (a consumer that has more of it skips that much of {@code text})
     */
    record Round(String requestId, int round, int[] tokens, String text, RoundStats stats, List<TokenConfidence> confidence,
                 List<TokenLogprob> logprobs, List<TokenLogprob> promptLogprobs, int position, int textOffset)
            implements GenerationEvent {

        /** The first event of a generation (position 0), without per-token confidence or log-probabilities. */
        public Round(String requestId, int round, int[] tokens, String text, RoundStats stats) {
            this(requestId, round, tokens, text, stats, null, null, null, 0, 0);
        }

        /** The first event of a generation (position 0) with per-token confidence, without log-probabilities. */
        public Round(String requestId, int round, int[] tokens, String text, RoundStats stats, List<TokenConfidence> confidence) {
            this(requestId, round, tokens, text, stats, confidence, null, null, 0, 0);
        }

        /** The completion position just after this event's tokens. */
        public int end() {
            return position + tokens.length;
        }

        /**
         * This event without what a consumer that has the first {@code positions} completion positions and
         * {@code codePoints} of their text already has; null when it has all of it.
         */
        public Round after(int positions, int codePoints) {
            int textLength = text.codePointCount(0, text.length());
            if (positions >= end() && codePoints >= textOffset + textLength) {
                return null; // (an event without tokens carries held-back text: it counts until that text is had)
            }
            if (positions <= position && codePoints <= textOffset) {
                return this;
            }
            int skip = Math.min(tokens.length, Math.max(0, positions - position));
            int skipText = Math.max(0, Math.min(codePoints - textOffset, textLength));
            return new Round(requestId, round, java.util.Arrays.copyOfRange(tokens, skip, tokens.length),
                    text.substring(text.offsetByCodePoints(0, skipText)), stats,
                    confidence == null ? null : confidence.subList(skip, confidence.size()),
                    logprobs == null ? null : logprobs.subList(skip, logprobs.size()), null, position + skip, textOffset + skipText);
        }
    }

    /**
     * A token's log-probability under the target model's raw distribution (natural log, before temperature, penalties
     * and truncation: vLLM's default {@code raw_logprobs}), with the most likely alternatives.
     *
     * @param text its piece of text (malformed UTF-8 of a partial character replaced)
     * @param top  the most likely tokens at that position, best first (absent in the alternatives themselves)
     */
    record TokenLogprob(int token, String text, double logprob, List<TokenLogprob> top) {
    }

    /** The generation ended normally; {@code text} is whatever held-back text remained. */
    record Done(String requestId, int round, FinishReason finishReason, String text, Usage usage, GenerationStats stats)
            implements GenerationEvent {

        /** The end of a request cancelled while it still waited for a session: nothing was generated. */
        public static Done cancelledWhileWaiting(String requestId) {
            return new Done(requestId, 0, FinishReason.CANCELLED, "", new Usage(0, 0), new GenerationStats(0, 0, 0, 0));
        }
    }

    /** The generation failed; nothing more follows. */
    record Error(String requestId, int round, ProtocolError.ErrorCode code, String message) implements GenerationEvent {
    }

    enum FinishReason {
        /** an end-of-generation token or a stop string */
        STOP,
        /** max tokens reached */
        LENGTH,
        /** the model's context is full */
        CONTEXT,
        /** cancelled by the client */
        CANCELLED
    }

    /**
     * How sure the model was of one committed token, from its raw next-token distribution (temperature 1, natural
     * logs) whatever the request's sampling: what cascades defer on.
     *
     * @param logProb log-probability of the committed token
     * @param entropy entropy of the distribution, in nats
     * @param margin  log-probability of the most likely token minus that of the runner-up (0 on a tie)
     */
    record TokenConfidence(int token, double logProb, double entropy, double margin) {
    }

    /**
     * @param drafted    draft tokens verified this round
     * @param accepted   of those, accepted
     * @param drafter    who drafted (null when the verifier decoded alone)
     * @param roundMillis verification time on the verifier
     * @param hopMillis  from sending the draft request to receiving the proposal (Kafka both ways plus drafting)
     * @param requested  the draft length k the verifier asked for this round (0: it decoded alone by choice or
     *                   policy; absent in events of services that do not speculate)
     * @param hop        where the drafter hop went, stage by stage (absent when the round had no drafter hop)
     */
    record RoundStats(int drafted, int accepted, String drafter, double roundMillis, double hopMillis, int requested,
                      HopStages hop) {

        /** Statistics of a round without a hop breakdown. */
        public RoundStats(int drafted, int accepted, String drafter, double roundMillis, double hopMillis, int requested) {
            this(drafted, accepted, drafter, roundMillis, hopMillis, requested, null);
        }

        /** Statistics of a round whose draft length is not reported. */
        public RoundStats(int drafted, int accepted, String drafter, double roundMillis, double hopMillis) {
            this(drafted, accepted, drafter, roundMillis, hopMillis, 0, null);
        }
    }

    record Usage(int promptTokens, int completionTokens) {
        public int totalTokens() {
            return promptTokens + completionTokens;
        }
    }

    /**
     * @param meanAcceptedLength tokens committed per verification round (τ): accepted drafts plus the verifier's own
     */
    record GenerationStats(int rounds, int draftedTokens, int acceptedTokens, double meanAcceptedLength) {
    }
}
