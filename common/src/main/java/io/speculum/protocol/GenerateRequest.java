package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
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
        String draftText) implements GenerateTopicRecord {

    public GenerateRequest {
        stop = stop == null ? List.of() : List.copyOf(stop);
        sampling = sampling == null ? SamplingParams.greedy() : sampling;
        speculation = speculation == null ? SpeculationPolicy.defaults() : speculation;
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
                createdAtMillis, deadlineAtMillis, draftText);
    }

    public GenerateRequest withDraftText(String text) {
        return new GenerateRequest(requestId, replyTopic, model, prompt, promptTokens, maxTokens, sampling, stop, speculation,
                createdAtMillis, deadlineAtMillis, text);
    }
}
