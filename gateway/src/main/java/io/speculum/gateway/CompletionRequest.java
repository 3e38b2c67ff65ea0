package io.speculum.gateway;

import tools.jackson.databind.JsonNode;

/**
 * OpenAI's {@code POST /v1/completions} body. {@code prompt} is a string, an array of one string, or an array of token
 * ids; {@code stop} a string or an array of up to four. Unknown fields are ignored.
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
        SpeculumOptions speculum) {
}
