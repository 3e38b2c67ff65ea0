package io.speculum.detector.scoring;

import io.speculum.math.LogSoftmax;
import io.speculum.math.TokenStatistics;

/**
 * Per-token statistics from logits rows, in double precision: two passes over the scoring row (log-sum-exp, then
 * moments around the mean, which avoids the cancellation of {@code E[x²] − E[x]²}) and, with a reference row, two
 * over both. Masked tokens ({@code -Infinity}) have probability 0 and contribute nothing.
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
        double lse = LogSoftmax.logSumExp(scoring);
        int rank = TokenStatistics.rank(scoring, token);
        double logProb = scoring[token] - lse;
        double mean = 0;
        for (float l : scoring) {
            double logP = l - lse;
            double p = Math.exp(logP);
            if (p > 0) {
                mean += p * logP;
            }
        }
        double variance = 0;
        for (float l : scoring) {
            double logP = l - lse;
            double p = Math.exp(logP);
            if (p > 0) {
                double d = logP - mean;
                variance += p * d * d;
            }
        }
        double entropy = Math.max(0, -mean);
        if (reference == null) {
            return new TokenEvidence(index, token, logProb, rank, entropy, mean, variance, mean, variance);
        }
        double referenceLse = LogSoftmax.logSumExp(reference);
        double crossMean = 0;
        for (int i = 0; i < scoring.length; i++) {
            double q = Math.exp(reference[i] - referenceLse);
            if (q > 0) {
                crossMean += q * (scoring[i] - lse);
            }
        }
        double crossVariance = 0;
        for (int i = 0; i < scoring.length; i++) {
            double q = Math.exp(reference[i] - referenceLse);
            if (q > 0) {
                double d = (scoring[i] - lse) - crossMean;
                crossVariance += q * d * d;
            }
        }
        return new TokenEvidence(index, token, logProb, rank, entropy, mean, variance, crossMean, crossVariance);
    }
}
