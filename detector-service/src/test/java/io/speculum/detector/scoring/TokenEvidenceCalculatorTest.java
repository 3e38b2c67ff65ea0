package io.speculum.detector.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenEvidenceCalculatorTest {

    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void everyStatisticEqualsTheReferenceComputation(long seed) {
        ScoringFixtures f = new ScoringFixtures(seed, 40, seed == 4 ? 2048 : 97);
        for (int t = 0; t < f.tokens.length; t++) {
            TokenEvidence e = TokenEvidenceCalculator.of(f.scoring[t], f.reference[t], f.tokens[t], t + 1);
            double[] self = Reference.moments(f.scoring[t], f.scoring[t]);
            double[] cross = Reference.moments(f.scoring[t], f.reference[t]);
            assertThat(e.logProb()).isCloseTo(Reference.logProb(f.scoring[t], f.tokens[t]), within(TOLERANCE));
            assertThat(e.rank()).isEqualTo(Reference.rank(f.scoring[t], f.tokens[t]));
            assertThat(e.entropy()).isCloseTo(Reference.entropy(f.scoring[t]), within(TOLERANCE));
            assertThat(e.expectedLogProb()).isCloseTo(self[0], within(TOLERANCE));
            assertThat(e.logProbVariance()).isCloseTo(self[1], within(TOLERANCE));
            assertThat(e.crossExpectedLogProb()).isCloseTo(cross[0], within(TOLERANCE));
            assertThat(e.crossLogProbVariance()).isCloseTo(cross[1], within(TOLERANCE));
            assertThat(e.standardisedLogProb()).isCloseTo(
                    (Reference.logProb(f.scoring[t], f.tokens[t]) - self[0]) / Math.sqrt(self[1]), within(TOLERANCE));
        }
    }

    @Test
    void withoutAReferenceTheCrossStatisticsAreTheModelsOwn() {
        ScoringFixtures f = new ScoringFixtures(9, 5, 50);
        TokenEvidence e = TokenEvidenceCalculator.of(f.scoring[0], f.tokens[0], 1);
        assertThat(e.crossExpectedLogProb()).isEqualTo(e.expectedLogProb());
        assertThat(e.crossLogProbVariance()).isEqualTo(e.logProbVariance());
        assertThat(e.crossEntropy()).isCloseTo(e.entropy(), within(1e-12));
    }

    @Test
    void aPointMassHasZeroEntropyAndVarianceAndNoStandardisedValue() {
        float[] row = new float[8];
        Arrays.fill(row, Float.NEGATIVE_INFINITY);
        row[3] = 2.5f;
        TokenEvidence e = TokenEvidenceCalculator.of(row, 3, 1);
        assertThat(e.logProb()).isEqualTo(0);
        assertThat(e.rank()).isZero();
        assertThat(e.entropy()).isZero();
        assertThat(e.logProbVariance()).isZero();
        assertThat(e.standardisedLogProb()).isZero();
    }

    @Test
    void maskedTokensHaveNoMassAndHugeLogitsLoseNoPrecision() {
        float[] small = {1f, 2f, 0.5f, Float.NEGATIVE_INFINITY};
        float[] huge = {1001f, 1002f, 1000.5f, Float.NEGATIVE_INFINITY};
        TokenEvidence a = TokenEvidenceCalculator.of(small, 0, 1);
        TokenEvidence b = TokenEvidenceCalculator.of(huge, 0, 1);
        assertThat(b.logProb()).isCloseTo(a.logProb(), within(1e-9));
        assertThat(b.entropy()).isCloseTo(Reference.entropy(new float[] {1f, 2f, 0.5f}), within(1e-9));
        assertThat(b.logProbVariance()).isCloseTo(a.logProbVariance(), within(1e-9));
        assertThat(TokenEvidenceCalculator.of(small, 3, 1).logProb()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(TokenEvidenceCalculator.of(small, 3, 1).rank()).isEqualTo(3);
    }

    @Test
    void rowsOfDifferentVocabulariesAndInvalidRowsAreRefused() {
        assertThatThrownBy(() -> TokenEvidenceCalculator.of(new float[4], new float[5], 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabulary");
        assertThatThrownBy(() -> TokenEvidenceCalculator.of(new float[] {Float.NaN, 1}, 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenEvidenceCalculator.of(new float[4], 4, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
