package io.speculum.protocol;

import io.speculum.math.SamplingParams;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Everything needed to continue a generation, carried by every message of it: any replica can serve any round,
 * and a replica that dies loses nothing but a warm KV cache.
 *
 * @param requestId        the generation's id (also the Kafka key)
 * @param round            verification rounds completed; round 0 is the prefill that committed the first token
 * @param replyTopic       where the client reads {@link GenerationEvent}s
 * @param model            the served (verifier) model's name
 * @param vocabulary       the verifier's vocabulary fingerprint; a drafter with another one must not propose
 * @param promptLength     how many of {@code tokens} are the prompt
 * @param tokens           prompt followed by every committed completion token
 * @param maxTokens        completion budget
 * @param sampling         temperature, top-k/p, min-p and seed; randomness is keyed by (seed, position)
 * @param stop             stop strings (the text up to the first one is returned)
 * @param speculation      the request's speculation policy
 * @param createdAtMillis  when the request entered the system
 * @param deadlineAtMillis when the request must be finished (0 = no deadline)
 */
public record GenerationState(
        String requestId,
        int round,
        String replyTopic,
        String model,
        String vocabulary,
        int promptLength,
        int[] tokens,
        int maxTokens,
        SamplingParams sampling,
        List<String> stop,
        SpeculationPolicy speculation,
        long createdAtMillis,
        long deadlineAtMillis) {

    public GenerationState {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(sampling, "sampling");
        stop = stop == null ? List.of() : List.copyOf(stop);
        speculation = speculation == null ? SpeculationPolicy.defaults() : speculation;
        if (promptLength < 1 || promptLength > tokens.length) {
            throw new IllegalArgumentException("promptLength " + promptLength + " outside [1, " + tokens.length + "]");
        }
    }

    public int completionLength() {
        return tokens.length - promptLength;
    }

    public int[] completionTokens() {
        return Arrays.copyOfRange(tokens, promptLength, tokens.length);
    }

    public int remainingTokens() {
        return maxTokens - completionLength();
    }

    /** The same generation at {@code round} with {@code allTokens} (prompt included) committed. */
    public GenerationState at(int round, int[] allTokens) {
        return new GenerationState(requestId, round, replyTopic, model, vocabulary, promptLength, allTokens, maxTokens,
                sampling, stop, speculation, createdAtMillis, deadlineAtMillis);
    }

    /** The state after a round committed {@code newTokens}. */
    public GenerationState advance(int[] newTokens) {
        int[] all = Arrays.copyOf(tokens, tokens.length + newTokens.length);
        System.arraycopy(newTokens, 0, all, tokens.length, newTokens.length);
        return at(round + 1, all);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationState s && round == s.round && promptLength == s.promptLength
                && maxTokens == s.maxTokens && createdAtMillis == s.createdAtMillis && deadlineAtMillis == s.deadlineAtMillis
                && requestId.equals(s.requestId) && Objects.equals(replyTopic, s.replyTopic) && Objects.equals(model, s.model)
                && Objects.equals(vocabulary, s.vocabulary) && Arrays.equals(tokens, s.tokens) && sampling.equals(s.sampling)
                && stop.equals(s.stop) && speculation.equals(s.speculation);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestId, round, Arrays.hashCode(tokens));
    }

    @Override
    public String toString() {
        return "GenerationState[" + requestId + ", round " + round + ", " + tokens.length + " tokens ("
                + completionLength() + " generated of " + maxTokens + ")]";
    }
}
