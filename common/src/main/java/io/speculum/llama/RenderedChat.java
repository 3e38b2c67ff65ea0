package io.speculum.llama;

/**
 * A chat rendered into a prompt.
 *
 * @param prompt    the text to tokenise (special-token texts in it are meant to be parsed as special tokens)
 * @param template  the template used: "model" for the model's own, otherwise the built-in template's name
 * @param fallback  true when the model has no template and the configured built-in one was used
 */
public record RenderedChat(String prompt, String template, boolean fallback) {
}
