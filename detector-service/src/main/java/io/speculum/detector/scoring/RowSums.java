package io.speculum.detector.scoring;

import io.speculum.math.VectorApi;
import java.lang.invoke.MethodHandles;

/**
 * The passes over a logits row behind {@link TokenEvidenceCalculator}: plain loops, or the Vector API where the JVM
 * has it ({@code --add-modules jdk.incubator.vector}: about four times faster on a 2048-entry row, which keeps the
 * statistics thread ahead of the decoding one).
 */
interface RowSums {

    /** The row's largest logit; rows holding NaN or +Infinity are refused. */
    float max(float[] row);

    /** How many logits are strictly above {@code target}. */
    int rank(float[] row, float target);

    /**
     * {@code sums[k] = Σ_i e_i x_i^k} (k = 0, 1, 2) over the finite logits, with {@code x_i = row_i − max},
     * {@code e_i = exp(x_i)}.
     */
    void moments(float[] row, float max, double[] sums);

    /**
     * The same sums under the reference row's weights {@code q_i = exp(reference_i − referenceMax)}, with
     * {@code x_i = scoring_i − max}; returns true (and leaves {@code sums} undefined) when a token the reference allows
     * is impossible under the scoring row.
     */
    boolean crossMoments(float[] reference, float referenceMax, float[] scoring, float max, double[] sums);

    /** The fastest implementation this JVM can run. */
    static RowSums best() {
        if (VectorApi.available()) {
            try {
                return VectorApi.instance(MethodHandles.lookup(), "io.speculum.detector.scoring.VectorRowSums", RowSums.class);
            } catch (IllegalStateException e) {
                return new ScalarRowSums();
            }
        }
        return new ScalarRowSums();
    }
}
