package io.speculum.detector.scoring;

import io.speculum.math.LogSoftmax;
import io.speculum.math.TokenStatistics;

/**
 * Per-token statistics from logits rows, in double precision: one {@code exp} pass over the scoring row (its
 * probabilities and log-probabilities are kept for the moments), then moments around the mean, which avoids the
 * cancellation of {@code E[x²] − E[x]²}; with a reference row, one more {@code exp} pass over it. Masked tokens ({@code -Infinity}) have probability 0 and contribute nothing.
 */
public final class TokenEvidenceCalculator {

    private TokenEvidenceCalculator() {
    }

    /** Evidence from the scoring model alone. */
    public static TokenEvidence of(float[] scoring, int token, int index) {
        return of(scoring, null, token, index);
    }

    /**
     * Evidence for {@code token} from the scoring model's row and, when {@code reference} is not null, the reference
     * model's row at the same position (same vocabulary).
     */
    public static TokenEvidence of(float[] scoring, float[] reference, int token, int index) {
        if (reference != null && reference.length != scoring.length) {
            throw new IllegalArgumentException("the reference row has " + reference.length + " logits, the scoring row "
                    + scoring.length + ": the observers do not share a vocabulary");
        }
        int rank = TokenStatistics.rank(scoring, token); // validates the row and the token
        int n = scoring.length;
        // one exp pass: log p_i = (l_i - max) - log(sum), p_i = e_i / sum
        float max = Float.NEGATIVE_INFINITY;
        for (float l : scoring) {
            max = Math.max(max, l);
        }
        double[] logP = new double[n];
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double shifted = (double) scoring[i] - max;
            logP[i] = shifted;
            p[i] = Math.exp(shifted);
            sum += p[i];
        }
        double logSum = Math.log(sum);
        double mean = 0;
        for (int i = 0; i < n; i++) {
            logP[i] -= logSum;
            p[i] /= sum;
            if (p[i] > 0) {
                mean += p[i] * logP[i];
            }
        }
        double variance = 0;
        for (int i = 0; i < n; i++) {
            if (p[i] > 0) {
                double d = logP[i] - mean;
                variance += p[i] * d * d;
            }
        }
        double logProb = logP[token];
        double entropy = Math.max(0, -mean);
        if (reference == null) {
            return new TokenEvidence(index, token, logProb, rank, entropy, mean, variance, mean, variance);
        }
        double referenceLse = LogSoftmax.logSumExp(reference);
        double[] q = new double[n];
        double crossMean = 0;
        for (int i = 0; i < n; i++) {
            q[i] = Math.exp(reference[i] - referenceLse);
            if (q[i] > 0) {
                crossMean += q[i] * logP[i];
            }
        }
        double crossVariance = 0;
        for (int i = 0; i < n; i++) {
            if (q[i] > 0) {
                double d = logP[i] - crossMean;
                crossVariance += q[i] * d * d;
            }
        }
        return new TokenEvidence(index, token, logProb, rank, entropy, mean, variance, crossMean, crossVariance);
    }
}
