package io.speculum.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogSoftmaxTest {

    private static float[] randomRow(long seed, int n, double scale) {
        Random random = new Random(seed);
        float[] row = new float[n];
        for (int i = 0; i < n; i++) {
            row[i] = (float) (random.nextGaussian() * scale);
        }
        return row;
    }

    /** The textbook formula, fine for moderate logits. */
    private static double directLogSumExp(float[] logits) {
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l);
        }
        return Math.log(sum);
    }

    @Test
    void logSumExpMatchesTheDirectFormula() {
        for (int seed = 0; seed < 20; seed++) {
            float[] row = randomRow(seed, 1 + seed * 100, 4);
            assertThat(LogSoftmax.logSumExp(row)).isCloseTo(directLogSumExp(row), within(1e-9));
        }
        assertThat(LogSoftmax.logSumExp(new float[] {0f, 0f, 0f, 0f})).isCloseTo(Math.log(4), within(1e-15));
        assertThat(LogSoftmax.logSumExp(new float[] {-7.5f})).isEqualTo(-7.5);
    }

    @Test
    void logSoftmaxMatchesTheDirectFormula() {
        float[] row = randomRow(1, 500, 3);
        float[] logProbs = LogSoftmax.logSoftmax(row);
        double lse = directLogSumExp(row);
        for (int i = 0; i < row.length; i++) {
            assertThat((double) logProbs[i]).isCloseTo(row[i] - lse, within(1e-5));
        }
    }

    @Test
    void softmaxMatchesTheDirectFormulaAndSumsToOne() {
        float[] row = randomRow(2, 32_000, 2.5);
        for (double t : new double[] {0.3, 0.7, 1, 2.5}) {
            float[] p = LogSoftmax.softmax(row, t);
            double sum = 0;
            double direct = 0;
            for (float l : row) {
                direct += Math.exp(l / t);
            }
            for (int i = 0; i < row.length; i++) {
                sum += p[i];
                assertThat((double) p[i]).isCloseTo(Math.exp(row[i] / t) / direct, within(1e-7));
            }
            assertThat(sum).isCloseTo(1, within(1e-5));
        }
    }

    @Test
    void hugeLogitsStayFinite() {
        float[] row = {1e4f, 1e4f, 0f, -1e4f};
        assertThat(LogSoftmax.logSumExp(row)).isCloseTo(1e4 + Math.log(2), within(1e-9));
        float[] logProbs = LogSoftmax.logSoftmax(row);
        for (float l : logProbs) {
            assertThat(Float.isFinite(l)).isTrue();
        }
        assertThat((double) logProbs[0]).isCloseTo(-Math.log(2), within(1e-6));
        assertThat((double) logProbs[3]).isCloseTo(-2e4 - Math.log(2), within(1e-2));
        float[] p = LogSoftmax.softmax(row, 1);
        assertThat(p).containsExactly(0.5f, 0.5f, 0f, 0f);
        float[] negative = {-1e4f, -1e4f - 1};
        assertThat(LogSoftmax.logSumExp(negative)).isCloseTo(-1e4 + Math.log(1 + Math.exp(-1)), within(1e-9));
    }

    @Test
    void maskedTokensGetProbabilityZero() {
        float n = Float.NEGATIVE_INFINITY;
        float[] row = {n, 1f, n, 1f};
        assertThat(LogSoftmax.logSumExp(row)).isCloseTo(1 + Math.log(2), within(1e-12));
        assertThat(LogSoftmax.logSoftmax(row)).containsExactly(n, (float) -Math.log(2), n, (float) -Math.log(2));
        assertThat(LogSoftmax.softmax(row, 0.5)).containsExactly(0f, 0.5f, 0f, 0.5f);
    }

    @Test
    void rejectsInvalidRows() {
        assertThatIllegalArgumentException().isThrownBy(() -> LogSoftmax.logSumExp(new float[0]));
        assertThatIllegalArgumentException().isThrownBy(() -> LogSoftmax.logSumExp(null));
        assertThatIllegalArgumentException().isThrownBy(() -> LogSoftmax.logSoftmax(new float[] {0f, Float.NaN}))
                .withMessageContaining("token 1");
        assertThatIllegalArgumentException().isThrownBy(() -> LogSoftmax.softmax(new float[] {Float.POSITIVE_INFINITY}, 1));
        assertThatIllegalArgumentException().isThrownBy(() -> LogSoftmax.logSumExp(new float[] {Float.NEGATIVE_INFINITY}));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -1, Double.NaN, Double.POSITIVE_INFINITY})
    void softmaxRejectsBadTemperatures(double t) {
        assertThatIllegalArgumentException().isThrownBy(() -> LogSoftmax.softmax(new float[] {1f, 2f}, t))
                .withMessageContaining("temperature");
    }
}
