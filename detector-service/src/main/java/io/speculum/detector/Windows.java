package io.speculum.detector;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a text longer than the context into overlapping windows. A text's token {@code i >= 1} is predicted by the
 * row of token {@code i - 1}; each window predicts its own tokens from position 0 and contributes only the indices no
 * earlier window predicted, so every later token is predicted with at least {@code overlap} tokens of context.
 */
final class Windows {

    /**
     * One window: tokens {@code [start, start + length)} of the text, contributing the predictions of indices
     * {@code [firstIndex, start + length)}.
     */
    record Window(int start, int length, int firstIndex) {
    }

    private Windows() {
    }

    static List<Window> plan(int tokens, int window, int overlap) {
        List<Window> out = new ArrayList<>();
        if (tokens < 2) {
            return out;
        }
        int start = 0;
        int next = 1; // the first index not yet predicted
        while (next < tokens) {
            int length = Math.min(window, tokens - start);
            out.add(new Window(start, length, next));
            next = start + length;
            start = next - overlap;
        }
        return out;
    }
}
