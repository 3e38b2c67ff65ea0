package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.speculum.math.Penalties;
import io.speculum.math.SamplingParams;
import java.util.List;

/**
 * A client's request for a completion.
 *
 * @param prompt        the prompt text (already rendered with a chat template where that applies), or null
 * @param promptTokens  the prompt as token ids of the served model, used when {@code prompt} is null
 * @param deadlineAtMillis epoch millis by which it must finish, 0 for none
 * @param draftText     optional: a text expected to continue the prompt (a cascade's small answer); the verifier
 *                      re-tokenises it with its own vocabulary and verifies it as a draft before asking drafters, in
 *                      chunks of the policy's {@code maxDraftTokens}; the output stays exactly the model's own
 * @param logprobs      optional: report each completion token's log-probability and this many top alternatives
 *                      (0..{@value #MAX_LOGPROBS}) in the round events; absent: none
 * @param promptLogprobs optional: also report the prompt tokens' log-probabilities (all but the first) with this many
 *                      alternatives, in round 0 (costs logits at every prompt position in the prefill); absent: none
 * @param penalties     optional: logit bias and frequency / presence / repetition penalties applied to the target's
 *                      logits before sampling; absent: none
 * @param resume        optional: the request was being served by a verifier that stopped answering; go on from the
 *                      completion tokens the client already has (sent again by the gateway); absent: from the start
 */
public record GenerateRequest(
        String requestId,
        String replyTopic,
        String model,
        String prompt,
        int[] promptTokens,
        int maxTokens,
        SamplingParams sampling,
        List<String> stop,
        SpeculationPolicy speculation,
        @JsonProperty(defaultValue = "0") long createdAtMillis,
        @JsonProperty(defaultValue = "0") long deadlineAtMillis,
        String draftText,
        Integer logprobs,
        Integer promptLogprobs,
        Penalties penalties,
        ResumePoint resume) implements GenerateTopicRecord {

    /** The most alternatives a token's log-probability may come with (OpenAI's limit for chats). */
    public static final int MAX_LOGPROBS = 20;

    public GenerateRequest {
        stop = stop == null ? List.of() : List.copyOf(stop);
        sampling = sampling == null ? SamplingParams.greedy() : sampling;
        speculation = speculation == null ? SpeculationPolicy.defaults() : speculation;
        penalties = penalties == null || penalties.changesNothing() ? null : penalties;
    }

    /** A request from the start (not resumed). */
    public GenerateRequest(String requestId, String replyTopic, String model, String prompt, int[] promptTokens, int maxTokens,
                           SamplingParams sampling, List<String> stop, SpeculationPolicy speculation, long createdAtMillis,
                           long deadlineAtMillis, String draftText, Integer logprobs, Integer promptLogprobs, Penalties penalties) {
        this(requestId, replyTopic, model, prompt, promptTokens, maxTokens, sampling, stop, speculation, createdAtMillis,
                deadlineAtMillis, draftText, logprobs, promptLogprobs, penalties, null);
    }

    /** A request with a draft text, without log-probabilities or penalties. */
    public GenerateRequest(String requestId, String replyTopic, String model, String prompt, int[] promptTokens, int maxTokens,
                           SamplingParams sampling, List<String> stop, SpeculationPolicy speculation, long createdAtMillis,
                           long deadlineAtMillis, String draftText) {
        this(requestId, replyTopic, model, prompt, promptTokens, maxTokens, sampling, stop, speculation, createdAtMillis,
                deadlineAtMillis, draftText, null, null, null);
    }

    /** A request without a draft text. */
    public GenerateRequest(String requestId, String replyTopic, String model, String prompt, int[] promptTokens, int maxTokens,
                           SamplingParams sampling, List<String> stop, SpeculationPolicy speculation, long createdAtMillis,
                           long deadlineAtMillis) {
        this(requestId, replyTopic, model, prompt, promptTokens, maxTokens, sampling, stop, speculation, createdAtMillis,
                deadlineAtMillis, null);
    }

    public GenerateRequest withMaxTokens(int tokens) {
        return new GenerateRequest(requestId, replyTopic, model, prompt, promptTokens, tokens, sampling, stop, speculation,
                createdAtMillis, deadlineAtMillis, draftText, logprobs, promptLogprobs, penalties, resume);
    }

    public GenerateRequest withDraftText(String text) {
        return new GenerateRequest(requestId, replyTopic, model, prompt, promptTokens, maxTokens, sampling, stop, speculation,
                createdAtMillis, deadlineAtMillis, text, logprobs, promptLogprobs, penalties, resume);
    }

    public GenerateRequest withLogprobs(Integer top, Integer promptTop) {
        return new GenerateRequest(requestId, replyTopic, model, prompt, promptTokens, maxTokens, sampling, stop, speculation,
                createdAtMillis, deadlineAtMillis, draftText, top, promptTop, penalties, resume);
    }

    public GenerateRequest withPenalties(Penalties processing) {
        return new GenerateRequest(requestId, replyTopic, model, prompt, promptTokens, maxTokens, sampling, stop, speculation,
                createdAtMillis, deadlineAtMillis, draftText, logprobs, promptLogprobs, processing, resume);
    }

    public GenerateRequest withSampling(SamplingParams params) {
        return new GenerateRequest(requestId, replyTopic, model, prompt, promptTokens, maxTokens, params, stop, speculation,
                createdAtMillis, deadlineAtMillis, draftText, logprobs, promptLogprobs, penalties, resume);
    }

    /** The same request, to be continued from {@code point} by whichever verifier receives it. */
    public GenerateRequest resumedAt(ResumePoint point) {
        return new GenerateRequest(requestId, replyTopic, model, prompt, promptTokens, maxTokens, sampling, stop, speculation,
                createdAtMillis, deadlineAtMillis, draftText, logprobs, promptLogprobs, penalties, point);
    }

    /** Completion tokens the client already has (none unless resumed). */
    public int[] resumedTokens() {
        return resume == null ? new int[0] : resume.tokens();
    }

    /** The processing of the target's logits: {@link Penalties#NONE} when absent. */
    public Penalties processing() {
        return penalties == null ? Penalties.NONE : penalties;
    }
}
