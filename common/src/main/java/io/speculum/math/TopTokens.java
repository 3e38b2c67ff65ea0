package io.speculum.math;

import java.util.Arrays;

/**
 * The most likely tokens of one logits row, best first (ties: lower id first), with their log-probabilities at
 * temperature 1. Arrays are copied in and out, so an instance is immutable.
 *
 * @param ids      token ids, best first
 * @param logProbs their log-probabilities (natural log), non-increasing
 */
public record TopTokens(int[] ids, float[] logProbs) {

    public TopTokens {
        if (ids == null || logProbs == null) {
            throw new IllegalArgumentException("ids and logProbs must not be null");
        }
        if (ids.length != logProbs.length) {
            throw new IllegalArgumentException("ids (" + ids.length + ") and logProbs (" + logProbs.length + ") differ in length");
        }
        ids = ids.clone();
        logProbs = logProbs.clone();
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    @Override
    public float[] logProbs() {
        return logProbs.clone();
    }

    public int size() {
        return ids.length;
    }

    public int idAt(int i) {
        return ids[i];
    }

    public float logProbAt(int i) {
        return logProbs[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopTokens(int[] otherIds, float[] otherLogProbs)
                && Arrays.equals(ids, otherIds) && Arrays.equals(logProbs, otherLogProbs);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(logProbs);
    }

    @Override
    public String toString() {
        return "TopTokens[ids=" + Arrays.toString(ids) + ", logProbs=" + Arrays.toString(logProbs) + "]";
    }
}
