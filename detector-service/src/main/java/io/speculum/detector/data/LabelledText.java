package io.speculum.detector.data;

/**
 * A text with its origin, as the {@code dataset} command writes it (one JSON object a line).
 *
 * @param id      {@code m<prompt id>} for a machine text, {@code h<block>} for a human one
 * @param machine true for text sampled from a model, false for human-written text
 */
public record LabelledText(String id, String text, boolean machine, Split split) {
}
