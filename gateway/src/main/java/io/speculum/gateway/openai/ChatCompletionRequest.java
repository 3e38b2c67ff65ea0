package io.speculum.gateway.openai;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * OpenAI's {@code POST /v1/chat/completions} body. A message's {@code content} is a string or an array of
 * {@code {"type":"text","text":…}} parts. {@code repetition_penalty}, {@code top_k} and {@code min_p} are vLLM's
 * extensions. The OpenAI features this server does not offer ({@code tools}, {@code response_format}, …) are read only
 * to be refused with 422; other unknown fields are ignored.
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
        Double frequency_penalty,
        Double presence_penalty,
        Map<String, Double> logit_bias,
        Double repetition_penalty,
        Integer top_k,
        Double min_p,
        JsonNode tools,
        JsonNode tool_choice,
        JsonNode parallel_tool_calls,
        JsonNode functions,
        JsonNode function_call,
        JsonNode response_format,
        JsonNode audio,
        JsonNode modalities,
        JsonNode prediction,
        JsonNode web_search_options,
        JsonNode reasoning_effort,
        SpeculumOptions speculum) {

    /** The OpenAI parameters this server does not offer, by name, where the request sets them. */
    Map<String, JsonNode> unsupported() {
        Map<String, JsonNode> named = new java.util.LinkedHashMap<>();
        named.put("tools", tools);
        named.put("tool_choice", tool_choice);
        named.put("parallel_tool_calls", parallel_tool_calls);
        named.put("functions", functions);
        named.put("function_call", function_call);
        named.put("response_format", response_format);
        named.put("audio", audio);
        named.put("modalities", modalities);
        named.put("prediction", prediction);
        named.put("web_search_options", web_search_options);
        named.put("reasoning_effort", reasoning_effort);
        return named;
    }

    public record Message(String role, JsonNode content, String name) {
    }
}
