package io.speculum.gateway.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * OpenAI's response and chunk shapes, field for field, plus Speculum's statistics under {@code "speculum"} (left out
 * when not asked for, so standard clients see exactly OpenAI's shapes).
 */
public final class OpenAiResponses {

    private OpenAiResponses() {
    }

    public record Completion(String id, String object, long created, String model, List<CompletionChoice> choices, Usage usage,
                      @JsonInclude(JsonInclude.Include.NON_NULL) ResponseExtension speculum) {
    }

    public record CompletionChoice(String text, int index, Object logprobs, String finish_reason) {
    }

    public record CompletionChunk(String id, String object, long created, String model, List<CompletionChoice> choices,
                           @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage,
                           @JsonInclude(JsonInclude.Include.NON_NULL) ChunkExtension speculum) {
    }

    public record ChatCompletion(String id, String object, long created, String model, List<ChatChoice> choices, Usage usage,
                          @JsonInclude(JsonInclude.Include.NON_NULL) ResponseExtension speculum) {
    }

    public record ChatChoice(int index, ChatMessage message, Object logprobs, String finish_reason) {
    }

    public record ChatMessage(String role, String content, Object refusal) {
    }

    public record ChatChunk(String id, String object, long created, String model, List<ChatChunkChoice> choices,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage,
                     @JsonInclude(JsonInclude.Include.NON_NULL) ChunkExtension speculum) {
    }

    public record ChatChunkChoice(int index, Delta delta, Object logprobs, String finish_reason) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content) {
    }

    /** Token counts, and the speculation totals of the generation under {@code speculum}. */
    public record Usage(int prompt_tokens, int completion_tokens, int total_tokens, SpeculationTotals speculum) {
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
    record RoundInfo(int round, int tokens, int drafted, int accepted, String drafter) implements ChunkExtension {
    }

    record RoundList(List<RoundInfo> rounds) implements ResponseExtension {
    }

    /** What a response carries under {@code speculum}: its rounds, or how a cascade answered it. */
    sealed interface ResponseExtension permits RoundList, CascadeExtension {
    }

    /** What a chunk carries under {@code speculum}: its round, or how a cascade answered it. */
    public sealed interface ChunkExtension permits RoundInfo, CascadeExtension {
    }

    public record CascadeExtension(CascadeInfo cascade) implements ResponseExtension, ChunkExtension {
    }

    /**
     * How the cascade router answered (docs/cascades.md).
     *
     * @param answered_by     {@code small}, {@code large} or {@code mixed} (token routing: both models' text)
     * @param deferred        the deferral rule's decision: {@code score} was above {@code threshold} (token routing: a
     *                        token was handed to the large model)
     * @param undeferred      when deferred but answered by the small model (the large one failed): why; else absent
     * @param large_verification_rounds the large model's forward passes after its prefill (fewer than its tokens when
     *                        it accepted parts of the small answer as draft)
     * @param routing         {@code defer} or {@code token}
     * @param lossy           true for token routing: the text equals neither model's own answer
     * @param handoffs        token routing only: how often the large model took over
     * @param handoff_limit_reached token routing only: the router's limit of hand-offs was reached
     */
    public record CascadeInfo(String answered_by, boolean deferred,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String undeferred, String rule, double score,
                       double threshold, int small_prompt_tokens, int small_completion_tokens, int large_prompt_tokens,
                       int large_completion_tokens, int large_verification_rounds, int large_draft_tokens_accepted,
                       String routing, boolean lossy, @JsonInclude(JsonInclude.Include.NON_NULL) Integer handoffs,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Boolean handoff_limit_reached) {
    }
}
