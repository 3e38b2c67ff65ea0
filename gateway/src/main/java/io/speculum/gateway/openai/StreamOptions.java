package io.speculum.gateway.openai;

/** OpenAI's {@code stream_options}: {@code include_usage} adds a last chunk with the usage and no choices. */
public record StreamOptions(Boolean include_usage) {
}
