package io.speculum.llama;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * Zero-copy, read-only access to one logits row in llama.cpp's output buffer. Valid only until the context's next
 * decode (llama.cpp reuses the buffer); every access checks that, so a stale view fails instead of reading
 * another step's logits.
 */
public final class LogitsView {

    private final InferenceContext context;
    private final MemorySegment row;
    private final long generation;

    LogitsView(InferenceContext context, MemorySegment row, long generation) {
        this.context = context;
        this.row = row;
        this.generation = generation;
    }

    public int size() {
        return (int) (row.byteSize() / Float.BYTES);
    }

    public float get(int token) {
        context.checkView(generation);
        return row.getAtIndex(JAVA_FLOAT, token);
    }

    /** Index of the largest logit (lowest id on ties), read in place. */
    public int argmax() {
        context.checkView(generation);
        int n = size();
        int best = 0;
        float bestValue = row.getAtIndex(JAVA_FLOAT, 0);
        for (int i = 1; i < n; i++) {
            float v = row.getAtIndex(JAVA_FLOAT, i);
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    public float[] toArray() {
        context.checkView(generation);
        return row.toArray(JAVA_FLOAT);
    }

    /** The underlying read-only segment; check {@link #isValid()} before using it outside this class. */
    public MemorySegment segment() {
        context.checkView(generation);
        return row;
    }

    public boolean isValid() {
        return !context.isClosed() && context.generation() == generation;
    }
}
