package io.speculum.math;

import java.util.Arrays;

/**
 * Package-private helpers over one row of logits: validation, and an order "descending logit, then ascending id"
 * encoded as primitive {@code long} keys, so that ranking a 32 000-token row needs neither boxing nor comparators.
 */
final class Logits {

    private Logits() {
    }

    /**
     * Checks a row and returns its largest logit. A row must be non-empty, free of NaN and {@code +Infinity} (both
     * mean a broken forward pass, and neither has a softmax) and hold at least one finite logit; {@code -Infinity}
     * is allowed and means "probability zero" (a masked token).
     */
    static float requireValid(float[] logits) {
        if (logits == null || logits.length == 0) {
            throw new IllegalArgumentException("logits must be a non-empty row");
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            float l = logits[i];
            if (!(l < Float.POSITIVE_INFINITY)) { // NaN or +Infinity
                throw new IllegalArgumentException("logit of token " + i + " is " + l + "; logits must be finite or -Infinity");
            }
            if (l > max) {
                max = l;
            }
        }
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("all " + logits.length + " logits are -Infinity: no token is possible");
        }
        return max;
    }

    static void requireToken(float[] logits, int token) {
        if (token < 0 || token >= logits.length) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary [0, " + logits.length + ")");
        }
    }

    /**
     * A key whose ascending {@code long} order is descending logit, ties by ascending id. The high half is the
     * bitwise complement of a monotone int image of the float, the low half the id.
     */
    static long key(float logit, int id) {
        int bits = Float.floatToIntBits(logit + 0.0f); // -0.0 joins 0.0
        int sortable = bits ^ ((bits >> 31) & 0x7FFFFFFF);
        return ((long) ~sortable << 32) | (id & 0xFFFFFFFFL);
    }

    static int id(long key) {
        return (int) key;
    }

    /** All ids with a logit above {@code -Infinity}, as keys sorted best first. */
    static long[] sortedFinite(float[] logits) {
        long[] keys = new long[logits.length];
        int n = 0;
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] != Float.NEGATIVE_INFINITY) {
                keys[n++] = key(logits[i], i);
            }
        }
        keys = n == keys.length ? keys : Arrays.copyOf(keys, n);
        Arrays.sort(keys);
        return keys;
    }

    /**
     * The {@code k} best tokens (descending logit, ties lower id first) with a logit above {@code -Infinity}, as keys
     * sorted best first, in O(n log k): a bounded max-heap of keys whose root is the worst kept so far, so most of the
     * row is rejected by one comparison.
     */
    static long[] top(float[] logits, int k) {
        if (k <= 0) {
            return new long[0];
        }
        if (k >= logits.length) {
            return sortedFinite(logits);
        }
        long[] heap = new long[k];
        int size = 0;
        for (int i = 0; i < logits.length; i++) {
            float l = logits[i];
            if (l == Float.NEGATIVE_INFINITY) {
                continue;
            }
            long key = key(l, i);
            if (size < k) {
                heap[size] = key;
                siftUp(heap, size++);
            } else if (key < heap[0]) {
                heap[0] = key;
                siftDown(heap, size);
            }
        }
        long[] kept = size == k ? heap : Arrays.copyOf(heap, size);
        Arrays.sort(kept);
        return kept;
    }

    private static void siftUp(long[] heap, int i) {
        long x = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] >= x) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = x;
    }

    private static void siftDown(long[] heap, int size) {
        long x = heap[0];
        int i = 0;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < size && heap[child + 1] > heap[child]) {
                child++;
            }
            if (x >= heap[child]) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = x;
    }
}
