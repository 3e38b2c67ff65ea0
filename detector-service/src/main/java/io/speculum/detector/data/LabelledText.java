package io.speculum.detector.data;

/**
 * A text with its origin, as the {@code dataset} and {@code continuations} commands write it (one JSON object a line).
 *
 * @param id      {@code m<prompt id>} for a machine text, {@code h<block>} for a human one
 * @param machine true for text sampled from a model, false for human-written text
 * @param setting how a machine text was made ({@code <generator>/<decoding>}, see {@link Decoding}); null for human
 *                text and for the white-box task of the {@code dataset} command
 * @param length  the nominal length in reference tokens the text was cut to (64, 128, 256); 0 when not cut
 */
public record LabelledText(String id, String text, boolean machine, Split split, String setting, int length) {

    public LabelledText(String id, String text, boolean machine, Split split) {
        this(id, text, machine, split, null, 0);
    }
}
