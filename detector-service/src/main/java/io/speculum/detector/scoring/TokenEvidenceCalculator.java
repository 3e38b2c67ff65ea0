package io.speculum.detector.scoring;

/**
 * Per-token statistics from logits rows, in double precision, with no per-token allocation: one pass finds the row's
 * maximum and the token's rank (and rejects NaN / +Infinity), one {@code exp} pass accumulates the moments of the
 * shifted logits {@code x_i = l_i − max} under the unnormalised weights {@code e_i = exp(x_i)}: with
 * {@code S_k = Σ e_i x_i^k}, {@code log p_i = x_i − log S_0}, {@code μ = S_1/S_0 − log S_0} and
 * {@code σ² = S_2/S_0 − (S_1/S_0)²} (the shift by the row's maximum keeps {@code x} within a few dozen of 0, so the
 * difference loses no more than a few digits of double precision). A reference row adds one more {@code exp} pass
 * with the same moments under {@code q}. Masked tokens ({@code -Infinity}) have probability 0 and contribute nothing.
 *
 * <p>This is the scorer's per-token work over the whole vocabulary, so it is kept to two reads of the row and one
 * {@code exp} per entry: vocabulary-sized arrays per token made the 2048-token observer score at about half its
 * prefill speed.
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
        int n = checkedLength(scoring);
        if (token < 0 || token >= n) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary [0, " + n + ")");
        }
        float target = scoring[token];
        float max = Float.NEGATIVE_INFINITY;
        int rank = 0;
        for (int i = 0; i < n; i++) {
            float l = scoring[i];
            if (!(l < Float.POSITIVE_INFINITY)) { // NaN or +Infinity
                throw new IllegalArgumentException("logit of token " + i + " is " + l + "; logits must be finite or -Infinity");
            }
            max = Math.max(max, l);
            rank += l > target ? 1 : 0;
        }
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("all " + n + " logits are -Infinity: no token is possible");
        }
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            float l = scoring[i];
            if (l != Float.NEGATIVE_INFINITY) {
                double x = (double) l - max;
                double e = Math.exp(x);
                s0 += e;
                s1 += e * x;
                s2 += e * x * x;
            }
        }
        double logSum = Math.log(s0);
        double meanX = s1 / s0;
        double mean = meanX - logSum;
        double variance = Math.max(0, s2 / s0 - meanX * meanX);
        double logProb = (double) target - max - logSum;
        double entropy = Math.max(0, -mean);
        if (reference == null) {
            return new TokenEvidence(index, token, logProb, rank, entropy, mean, variance, mean, variance);
        }
        float referenceMax = Float.NEGATIVE_INFINITY;
        for (float l : reference) {
            referenceMax = Math.max(referenceMax, l);
        }
        double t0 = 0;
        double t1 = 0;
        double t2 = 0;
        boolean impossible = false; // a token the reference allows but the scoring model rules out: log p = -inf
        for (int i = 0; i < n; i++) {
            float r = reference[i];
            if (r != Float.NEGATIVE_INFINITY) {
                double q = Math.exp((double) r - referenceMax);
                if (scoring[i] == Float.NEGATIVE_INFINITY) {
                    impossible |= q > 0;
                    continue;
                }
                double x = (double) scoring[i] - max;
                t0 += q;
                t1 += q * x;
                t2 += q * x * x;
            }
        }
        if (impossible) {
            return new TokenEvidence(index, token, logProb, rank, entropy, mean, variance, Double.NEGATIVE_INFINITY, Double.NaN);
        }
        double crossX = t1 / t0;
        double crossMean = crossX - logSum;
        double crossVariance = Math.max(0, t2 / t0 - crossX * crossX);
        return new TokenEvidence(index, token, logProb, rank, entropy, mean, variance, crossMean, crossVariance);
    }

    private static int checkedLength(float[] row) {
        if (row == null || row.length == 0) {
            throw new IllegalArgumentException("logits must be a non-empty row");
        }
        return row.length;
    }
}
