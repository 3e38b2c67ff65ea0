package io.speculum.gateway;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * OpenAI's {@code POST /v1/chat/completions} body. A message's {@code content} is a string or an array of
 * {@code {"type":"text","text":…}} parts. Unknown fields are ignored.
 */
public record ChatCompletionRequest(
        String model,
        List<Message> messages,
        Integer max_tokens,
        Integer max_completion_tokens,
        Double temperature,
        Double top_p,
        Long seed,
        JsonNode stop,
        Integer n,
        Boolean stream,
        StreamOptions stream_options,
        Boolean logprobs,
        Integer top_logprobs,
        String user,
        SpeculumOptions speculum) {

    public record Message(String role, JsonNode content, String name) {
    }
}
