package io.speculum.detector.scoring;

/**
 * Per-token statistics from logits rows, in double precision, with no vocabulary-sized allocation per token: one pass
 * finds the row's maximum (and rejects NaN / +Infinity), one the token's rank, one {@code exp} pass accumulates the moments of the
 * shifted logits {@code x_i = l_i − max} under the unnormalised weights {@code e_i = exp(x_i)}: with
 * {@code S_k = Σ e_i x_i^k}, {@code log p_i = x_i − log S_0}, {@code μ = S_1/S_0 − log S_0} and
 * {@code σ² = S_2/S_0 − (S_1/S_0)²} (the shift by the row's maximum keeps {@code x} within a few dozen of 0, so the
 * difference loses no more than a few digits of double precision). A reference row adds one more {@code exp} pass
 * with the same moments under {@code q}. Masked tokens ({@code -Infinity}) have probability 0 and contribute nothing.
 *
 * <p>This is the scorer's per-token work over the whole vocabulary, so it is kept to a few reads of the row and one
 * {@code exp} per entry ({@link RowSums}: on the Vector API where the JVM has it): vocabulary-sized arrays per
 * token made the 2048-token observer score at about half its prefill speed.
 */
public final class TokenEvidenceCalculator {

    private static final RowSums SUMS = RowSums.best();

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
        int n = checkedLength(scoring);
        if (token < 0 || token >= n) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary [0, " + n + ")");
        }
        float max = SUMS.max(scoring);
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("all " + n + " logits are -Infinity: no token is possible");
        }
        float target = scoring[token];
        int rank = SUMS.rank(scoring, target);
        double[] sums = new double[3];
        SUMS.moments(scoring, max, sums);
        double logSum = Math.log(sums[0]);
        double meanX = sums[1] / sums[0];
        double mean = meanX - logSum;
        double variance = Math.max(0, sums[2] / sums[0] - meanX * meanX);
        double logProb = (double) target - max - logSum;
        double entropy = Math.max(0, -mean);
        if (reference == null) {
            return new TokenEvidence(index, token, logProb, rank, entropy, mean, variance, mean, variance);
        }
        float referenceMax = Float.NEGATIVE_INFINITY;
        for (float l : reference) {
            referenceMax = Math.max(referenceMax, l);
        }
        // a token the reference allows but the scoring model rules out: log p = -inf
        if (SUMS.crossMoments(reference, referenceMax, scoring, max, sums)) {
            return new TokenEvidence(index, token, logProb, rank, entropy, mean, variance, Double.NEGATIVE_INFINITY, Double.NaN);
        }
        double crossX = sums[1] / sums[0];
        double crossMean = crossX - logSum;
        double crossVariance = Math.max(0, sums[2] / sums[0] - crossX * crossX);
        return new TokenEvidence(index, token, logProb, rank, entropy, mean, variance, crossMean, crossVariance);
    }

    private static int checkedLength(float[] row) {
        if (row == null || row.length == 0) {
            throw new IllegalArgumentException("logits must be a non-empty row");
        }
        return row.length;
    }
}
