package io.speculum.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * OpenAI's response and chunk shapes, field for field, plus Speculum's statistics under {@code "speculum"} (left out
 * when not asked for, so standard clients see exactly OpenAI's shapes).
 */
final class OpenAiResponses {

    private OpenAiResponses() {
    }

    record Completion(String id, String object, long created, String model, List<CompletionChoice> choices, Usage usage,
                      @JsonInclude(JsonInclude.Include.NON_NULL) RoundList speculum) {
    }

    record CompletionChoice(String text, int index, Object logprobs, String finish_reason) {
    }

    record CompletionChunk(String id, String object, long created, String model, List<CompletionChoice> choices,
                           @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage,
                           @JsonInclude(JsonInclude.Include.NON_NULL) RoundInfo speculum) {
    }

    record ChatCompletion(String id, String object, long created, String model, List<ChatChoice> choices, Usage usage,
                          @JsonInclude(JsonInclude.Include.NON_NULL) RoundList speculum) {
    }

    record ChatChoice(int index, ChatMessage message, Object logprobs, String finish_reason) {
    }

    record ChatMessage(String role, String content, Object refusal) {
    }

    record ChatChunk(String id, String object, long created, String model, List<ChatChunkChoice> choices,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage,
                     @JsonInclude(JsonInclude.Include.NON_NULL) RoundInfo speculum) {
    }

    record ChatChunkChoice(int index, Delta delta, Object logprobs, String finish_reason) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String role, String content) {
    }

    /** Token counts, and the speculation totals of the generation under {@code speculum}. */
    record Usage(int prompt_tokens, int completion_tokens, int total_tokens, SpeculationTotals speculum) {
    }

    /**
     * @param mean_accepted_length tokens committed per verification round (accepted drafts plus the verifier's own)
     */
    record SpeculationTotals(int rounds, int drafted_tokens, int accepted_tokens, double mean_accepted_length) {
    }

    /**
     * One verifier round: the tokens it committed, the draft tokens it verified and accepted, and who drafted (null
     * when the verifier decoded alone; round 0 is the prompt's prefill).
     */
    record RoundInfo(int round, int tokens, int drafted, int accepted, String drafter) {
    }

    record RoundList(List<RoundInfo> rounds) {
    }
}
