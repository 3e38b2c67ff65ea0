package io.speculum.detector;

import io.speculum.llama.OutputLayer;
import java.util.Arrays;

/**
 * One decode's rows of one observer, copied out on the decoding thread: llama.cpp's logits, or hidden states that
 * are projected a group at a time where the statistics are computed.
 */
record ObserverRows(OutputLayer layer, float[][] logits, float[] states) {

    /** Rows projected together: each weight is read once per group. */
    static final int GROUP = 4;

    /** Logits of rows {@code first … first + count} (at most {@link #GROUP}); hidden states go through {@code scratch}. */
    float[][] group(int first, int count, float[][] scratch) {
        if (states == null) {
            return Arrays.copyOfRange(logits, first, first + count);
        }
        layer.project(states, first, count, scratch);
        return scratch;
    }

    float[][] scratch() {
        return states == null ? null : new float[GROUP][layer.vocabulary()];
    }
}
