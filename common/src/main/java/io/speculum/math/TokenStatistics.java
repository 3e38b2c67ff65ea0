package io.speculum.math;

/**
 * Statistics of one logits row at temperature 1, as used by detection (surprisal, rank) and cascades (entropy,
 * confidence). Rows are validated as in {@link LogSoftmax}.
 */
public final class TokenStatistics {

    private TokenStatistics() {
    }

    /**
     * Shannon entropy of {@code softmax(logits)} in nats, computed as
     * {@code log(s) - sum(e_i * (l_i - max)) / s} with {@code e_i = exp(l_i - max)}, {@code s = sum(e_i)}: no
     * per-token log, no cancellation from huge logits, masked tokens contribute 0.
     */
    public static double entropy(float[] logits) {
        return entropy(logits, Logits.requireValid(logits));
    }

    private static double entropy(float[] logits, float max) {
        double sum = 0;
        double weighted = 0;
        for (float l : logits) {
            double shifted = (double) l - max;
            double e = Math.exp(shifted);
            if (e > 0) {
                sum += e;
                weighted += e * shifted;
            }
        }
        return Math.max(0, Math.log(sum) - weighted / sum);
    }

    /**
     * How far the most likely token is ahead of the runner-up, in nats: {@code log p(top1) - log p(top2)}, the logit
     * difference. 0 when the top two tie; {@code +Infinity} when only one token is possible.
     */
    public static double topTwoMargin(float[] logits) {
        Logits.requireValid(logits);
        float first = Float.NEGATIVE_INFINITY;
        float second = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            if (l > first) {
                second = first;
                first = l;
            } else if (l > second) {
                second = l;
            }
        }
        return second == Float.NEGATIVE_INFINITY ? Double.POSITIVE_INFINITY : (double) first - second;
    }

    /** Natural-log probability of {@code token}; {@code -Infinity} for a masked token. */
    public static double logProbability(float[] logits, int token) {
        float max = Logits.requireValid(logits);
        Logits.requireToken(logits, token);
        return logits[token] - LogSoftmax.logSumExp(logits, max);
    }

    /** How many tokens have a strictly greater logit: 0 for a most likely token, so tied tokens share a rank. */
    public static int rank(float[] logits, int token) {
        Logits.requireValid(logits);
        Logits.requireToken(logits, token);
        return rankUnchecked(logits, token);
    }

    private static int rankUnchecked(float[] logits, int token) {
        float l = logits[token];
        int rank = 0;
        for (float other : logits) {
            if (other > l) {
                rank++;
            }
        }
        return rank;
    }

    /**
     * The {@code n} most likely tokens (fewer if the row has fewer tokens above {@code -Infinity}), best first, ties
     * by lower id; selection is partial, O(vocab · log n).
     */
    public static TopTokens topN(float[] logits, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        float max = Logits.requireValid(logits);
        double lse = LogSoftmax.logSumExp(logits, max);
        long[] keys = Logits.top(logits, n);
        int[] ids = new int[keys.length];
        float[] logProbs = new float[keys.length];
        for (int i = 0; i < keys.length; i++) {
            int id = Logits.id(keys[i]);
            ids[i] = id;
            logProbs[i] = (float) (logits[id] - lse);
        }
        return new TopTokens(ids, logProbs);
    }

    /** Everything {@link TokenObservation} holds, from one validation and one pass over the row. */
    public static TokenObservation observe(float[] logits, int token) {
        float max = Logits.requireValid(logits);
        Logits.requireToken(logits, token);
        float l = logits[token];
        double sum = 0;
        double weighted = 0;
        int rank = 0;
        for (float other : logits) {
            double shifted = (double) other - max;
            double e = Math.exp(shifted);
            if (e > 0) {
                sum += e;
                weighted += e * shifted;
            }
            if (other > l) {
                rank++;
            }
        }
        double logSum = Math.log(sum);
        double entropy = Math.max(0, logSum - weighted / sum);
        return new TokenObservation(token, l - (max + logSum), rank, entropy, -logSum);
    }
}
