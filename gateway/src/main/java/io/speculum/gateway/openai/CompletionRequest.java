package io.speculum.gateway.openai;

import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * OpenAI's {@code POST /v1/completions} body. {@code prompt} is a string, an array of one string, or an array of token
 * ids; {@code stop} a string or an array of up to four. {@code repetition_penalty}, {@code top_k} and {@code min_p} are
 * vLLM's extensions. {@code suffix} is OpenAI's but not offered (422); other unknown fields are ignored.
 */
public record CompletionRequest(
        String model,
        JsonNode prompt,
        Integer max_tokens,
        Double temperature,
        Double top_p,
        Long seed,
        JsonNode stop,
        Integer n,
        Boolean stream,
        StreamOptions stream_options,
        Integer logprobs,
        Boolean echo,
        String user,
        Double frequency_penalty,
        Double presence_penalty,
        Map<String, Double> logit_bias,
        Double repetition_penalty,
        Integer top_k,
        Double min_p,
        Integer best_of,
        JsonNode suffix,
        SpeculumOptions speculum) {
}
