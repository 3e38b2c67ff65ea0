package io.speculum.detector.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The Vector API passes give the plain loops' sums (to rounding), for any row length and with masked tokens. */
class RowSumsTest {

    private final RowSums vector = new VectorRowSums();
    private final RowSums scalar = new ScalarRowSums();

    @Test
    void theTestJvmRunsTheVectorVersion() {
        assertThat(RowSums.best()).isInstanceOf(VectorRowSums.class);
    }

    private static float[] row(Random random, int n, double masked) {
        float[] row = new float[n];
        for (int i = 0; i < n; i++) {
            row[i] = random.nextDouble() < masked ? Float.NEGATIVE_INFINITY : (float) (4 * random.nextGaussian());
        }
        row[random.nextInt(n)] = 1.5f; // at least one finite logit
        return row;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 37, 512, 1000, 2048, 32000})
    void sumsMatchThePlainLoops(int n) {
        Random random = new Random(n);
        for (int trial = 0; trial < 20; trial++) {
            float[] scoring = row(random, n, trial % 2 == 0 ? 0 : 0.2);
            float[] reference = row(random, n, trial % 3 == 0 ? 0 : 0.1);
            float max = scalar.max(scoring);
            assertThat(vector.max(scoring)).isEqualTo(max);
            float target = scoring[random.nextInt(n)];
            assertThat(vector.rank(scoring, target)).isEqualTo(scalar.rank(scoring, target));
            double[] expected = new double[3];
            double[] actual = new double[3];
            scalar.moments(scoring, max, expected);
            vector.moments(scoring, max, actual);
            for (int k = 0; k < 3; k++) {
                assertThat(actual[k]).isCloseTo(expected[k], within(1e-12 * Math.max(1, Math.abs(expected[k]))));
            }
            float referenceMax = scalar.max(reference);
            boolean impossible = scalar.crossMoments(reference, referenceMax, scoring, max, expected);
            assertThat(vector.crossMoments(reference, referenceMax, scoring, max, actual)).isEqualTo(impossible);
            if (!impossible) {
                for (int k = 0; k < 3; k++) {
                    assertThat(actual[k]).isCloseTo(expected[k], within(1e-12 * Math.max(1, Math.abs(expected[k]))));
                }
            }
        }
    }

    @Test
    void aTokenTheReferenceAllowsButTheScoringRowRulesOutIsImpossible() {
        float[] scoring = {0f, Float.NEGATIVE_INFINITY, 1f};
        float[] reference = {0f, 2f, 1f};
        assertThat(vector.crossMoments(reference, 2f, scoring, 1f, new double[3])).isTrue();
        assertThat(vector.crossMoments(new float[] {0f, Float.NEGATIVE_INFINITY, 1f}, 1f, scoring, 1f, new double[3])).isFalse();
    }

    @Test
    void nanOrPositiveInfinityIsRefusedNamingTheToken() {
        float[] row = new float[100];
        row[70] = Float.NaN;
        assertThatThrownBy(() -> vector.max(row)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token 70 is NaN");
        row[70] = Float.POSITIVE_INFINITY;
        assertThatThrownBy(() -> vector.max(row)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token 70 is Infinity");
    }
}
