package io.speculum.math;

import java.util.Arrays;

/**
 * Sampling a token from one logits row. {@link #distribution} is the exact distribution a draw comes from, so a
 * verifier can compare draft and target probabilities with the very numbers the sampler uses.
 *
 * <p>The pipeline: temperature first ({@code logits / T}), then top-k, then top-p, then min-p, each on the
 * distribution the previous step left (renormalised); tokens of probability 0 ({@code -Infinity} logits, or
 * {@code exp} underflow at low temperatures) are left out. Note that llama.cpp's <em>default</em> sampler chain
 * applies temperature last (top-k, top-p, min-p, then temperature); with temperature 1, or with top-k alone, the two
 * orders agree.
 *
 * <p>Cost per row: one pass over the vocabulary plus a bounded heap when top-k is set (no full sort); without top-k,
 * a pass that drops what min-p would drop anyway, then a primitive sort of the rest. Nothing is boxed.
 */
public final class TokenSampler {

    private TokenSampler() {
    }

    /** The most likely token; ties go to the lowest id. */
    public static int argmax(float[] logits) {
        Logits.requireValid(logits);
        int best = 0;
        float bestLogit = logits[0];
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > bestLogit) {
                bestLogit = logits[i];
                best = i;
            }
        }
        return best;
    }

    /**
     * The distribution a draw with {@code params} comes from, ids by descending probability (ties lower id first).
     * Greedy params give a point mass on {@link #argmax}.
     */
    public static SparseDistribution distribution(float[] logits, SamplingParams params) {
        if (params.deterministic()) {
            return SparseDistribution.pointMass(argmax(logits));
        }
        Truncated t = truncate(logits, params);
        return new SparseDistribution(Arrays.copyOf(t.ids, t.size), Arrays.copyOf(t.probs, t.size));
    }

    /**
     * A token drawn by inverse CDF from {@link #distribution}{@code (logits, params)} in its stored order, with the
     * given uniform; greedy params return {@link #argmax} and ignore {@code uniform}.
     *
     * @param uniform in [0, 1), e.g. {@link SeededUniform#at}{@code (seed, position, STREAM_SAMPLE)}
     */
    public static int sample(float[] logits, SamplingParams params, double uniform) {
        if (params.deterministic()) {
            return argmax(logits);
        }
        requireUniform(uniform);
        Truncated t = truncate(logits, params);
        return t.ids[draw(t.probs, t.size, uniform)];
    }

    /** A token drawn by inverse CDF from {@code distribution} in its stored order. */
    public static int sample(SparseDistribution distribution, double uniform) {
        requireUniform(uniform);
        float[] probs = distribution.probs();
        return distribution.idAt(draw(probs, probs.length, uniform));
    }

    private static void requireUniform(double uniform) {
        if (!(uniform >= 0 && uniform < 1)) {
            throw new IllegalArgumentException("uniform must be in [0, 1), was " + uniform);
        }
    }

    /**
     * The first index whose cumulative probability exceeds {@code uniform * total}. Scaling by the actual float total
     * keeps the draw exact for the stored probabilities; the last positive entry catches rounding.
     */
    private static int draw(float[] probs, int size, double uniform) {
        double total = 0;
        for (int i = 0; i < size; i++) {
            total += probs[i];
        }
        double target = uniform * total;
        double cumulative = 0;
        int lastPositive = 0;
        for (int i = 0; i < size; i++) {
            if (probs[i] > 0) {
                cumulative += probs[i];
                lastPositive = i;
                if (target < cumulative) {
                    return i;
                }
            }
        }
        return lastPositive;
    }

    private record Truncated(int[] ids, float[] probs, int size) {
    }

    private static Truncated truncate(float[] logits, SamplingParams params) {
        float max = Logits.requireValid(logits);
        double temperature = params.temperature();
        boolean topK = params.topK() > 0 && params.topK() < logits.length;
        long[] keys;
        double total; // sum of weights exp((l - max) / T) over what survives top-k
        if (topK) {
            keys = Logits.top(logits, params.topK());
            total = 0;
            for (long key : keys) {
                total += weight(logits[Logits.id(key)], max, temperature);
            }
        } else {
            // Min-p only ever drops a suffix of the sorted order, as does top-p, and min-p's threshold is relative
            // to the top token, which top-p keeps: so dropping min-p's victims before sorting changes nothing.
            double minWeight = params.minP();
            total = 0;
            long[] candidates = new long[logits.length];
            int n = 0;
            for (int i = 0; i < logits.length; i++) {
                double w = weight(logits[i], max, temperature);
                total += w;
                if (w > 0 && w >= minWeight) {
                    candidates[n++] = Logits.key(logits[i], i);
                }
            }
            keys = Arrays.copyOf(candidates, n);
            Arrays.sort(keys);
        }

        // top-p and min-p both keep a prefix of the best-first order; walk it once and stop at the shorter one
        int[] ids = new int[keys.length];
        double[] weights = new double[keys.length];
        int size = 0;
        double cumulative = 0;
        double kept = 0;
        for (long key : keys) {
            int id = Logits.id(key);
            double w = weight(logits[id], max, temperature);
            // keys are best first and the top token has weight 1, so min-p and zero weights cut a suffix
            if (w <= 0 || w < params.minP()) {
                break;
            }
            ids[size] = id;
            weights[size++] = w;
            kept += w;
            cumulative += w / total;
            if (params.topP() < 1 && cumulative >= params.topP()) {
                break;
            }
        }

        float[] probs = new float[size];
        for (int i = 0; i < size; i++) {
            probs[i] = (float) (weights[i] / kept);
        }
        orderTiesById(ids, probs, size);
        return new Truncated(ids, probs, size);
    }

    /** {@code exp((l - max) / T)}: the top token weighs 1, a masked one 0. */
    private static double weight(float logit, float max, double temperature) {
        return Math.exp(((double) logit - max) / temperature);
    }

    /**
     * Distinct logits can round to the same float probability; within such runs put lower ids first, so the stored
     * order is exactly "descending probability, ties lower id first".
     */
    private static void orderTiesById(int[] ids, float[] probs, int size) {
        int start = 0;
        for (int i = 1; i <= size; i++) {
            if (i == size || probs[i] != probs[start]) {
                if (i - start > 1) {
                    Arrays.sort(ids, start, i);
                }
                start = i;
            }
        }
    }
}
