package io.speculum.math;

/**
 * Numerically stable (log-)softmax over one row of logits. Everything is shifted by the row maximum and accumulated
 * in {@code double}, so rows with logits in the thousands, or a 150 000-token vocabulary, lose no precision to
 * overflow or float summation.
 *
 * <p>Rows are validated: non-empty, no NaN, no {@code +Infinity}, at least one finite logit. {@code -Infinity}
 * marks a masked token and gets probability 0 (log-probability {@code -Infinity}).
 */
public final class LogSoftmax {

    private LogSoftmax() {
    }

    /** {@code log(sum(exp(logits)))}, computed as {@code max + log(sum(exp(logits - max)))}. */
    public static double logSumExp(float[] logits) {
        return logSumExp(logits, Logits.requireValid(logits));
    }

    static double logSumExp(float[] logits, float max) {
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp((double) l - max);
        }
        return max + Math.log(sum);
    }

    /** Log-probabilities at temperature 1: {@code logits - logSumExp(logits)}. */
    public static float[] logSoftmax(float[] logits) {
        double lse = logSumExp(logits);
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = (float) (logits[i] - lse);
        }
        return out;
    }

    /**
     * Probabilities of {@code softmax(logits / temperature)}; they sum to 1 up to float rounding.
     *
     * @param temperature finite and positive; greedy decoding (temperature 0) is {@link TokenSampler#argmax}'s job
     */
    public static float[] softmax(float[] logits, double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and > 0, was " + temperature);
        }
        float max = Logits.requireValid(logits);
        double[] weights = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double w = Math.exp(((double) logits[i] - max) / temperature);
            weights[i] = w;
            sum += w;
        }
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = (float) (weights[i] / sum);
        }
        return out;
    }
}
