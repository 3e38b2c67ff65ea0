package io.speculum.math;

import java.util.Arrays;

/**
 * A probability distribution over a few token ids: what is left of a vocabulary after truncation, renormalised. A
 * drafter's proposal carries one per drafted token, so the verifier can accept or reject it exactly (speculative
 * sampling needs the draft probabilities, not just the drafted tokens).
 *
 * <p>Arrays are copied in and out, so an instance is immutable; equality is over contents. Entries are in the order
 * given ({@link TokenSampler#distribution} produces descending probability), and that order is the order of the
 * inverse-CDF draw in {@link TokenSampler#sample(SparseDistribution, double)}.
 *
 * @param ids   distinct token ids, {@code >= 0}
 * @param probs their probabilities: finite, {@code >= 0}, summing to 1 within {@code 1e-3} (float renormalisation
 *              over many tokens is not exact)
 */
public record SparseDistribution(int[] ids, float[] probs) {

    /** How far {@code probs} may sum from 1. */
    public static final double SUM_TOLERANCE = 1e-3;

    public SparseDistribution {
        if (ids == null || probs == null) {
            throw new IllegalArgumentException("ids and probs must not be null");
        }
        if (ids.length != probs.length) {
            throw new IllegalArgumentException("ids (" + ids.length + ") and probs (" + probs.length + ") differ in length");
        }
        if (ids.length == 0) {
            throw new IllegalArgumentException("a distribution needs at least one token");
        }
        ids = ids.clone();
        probs = probs.clone();
        double sum = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) {
                throw new IllegalArgumentException("token id " + ids[i] + " at index " + i + " is negative");
            }
            float p = probs[i];
            if (!(p >= 0) || Float.isInfinite(p)) {
                throw new IllegalArgumentException("probability " + p + " of token " + ids[i] + " is not finite and >= 0");
            }
            sum += p;
        }
        if (Math.abs(sum - 1) > SUM_TOLERANCE) {
            throw new IllegalArgumentException("probabilities sum to " + sum + ", not 1");
        }
        requireDistinct(ids);
    }

    private static void requireDistinct(int[] ids) {
        if (ids.length == 1) {
            return;
        }
        int[] sorted = ids.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("token id " + sorted[i] + " occurs more than once");
            }
        }
    }

    /** All mass on one token: what greedy decoding proposes. */
    public static SparseDistribution pointMass(int id) {
        return new SparseDistribution(new int[] {id}, new float[] {1f});
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    @Override
    public float[] probs() {
        return probs.clone();
    }

    public int size() {
        return ids.length;
    }

    public int idAt(int i) {
        return ids[i];
    }

    public float probAt(int i) {
        return probs[i];
    }

    /** The probability of {@code tokenId}, 0 if it is not in the support (a linear scan: supports are small). */
    public double probabilityOf(int tokenId) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == tokenId) {
                return probs[i];
            }
        }
        return 0;
    }

    /**
     * Whether all mass sits on a single token (a point mass). Not named {@code isPointMass}: Jackson would serialise
     * that as an extra {@code "pointMass"} property.
     */
    public boolean hasSingleToken() {
        return ids.length == 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseDistribution(int[] otherIds, float[] otherProbs)
                && Arrays.equals(ids, otherIds) && Arrays.equals(probs, otherProbs);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(probs);
    }

    @Override
    public String toString() {
        return "SparseDistribution[ids=" + Arrays.toString(ids) + ", probs=" + Arrays.toString(probs) + "]";
    }
}
