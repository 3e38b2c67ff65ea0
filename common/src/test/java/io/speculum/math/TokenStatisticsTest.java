package io.speculum.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokenStatisticsTest {

    private static final float[] TIED = {1f, 3f, 3f, 2f, Float.NEGATIVE_INFINITY, 2f};

    private static float[] randomRow(long seed, int n) {
        Random random = new Random(seed);
        float[] row = new float[n];
        for (int i = 0; i < n; i++) {
            row[i] = (float) (random.nextGaussian() * 3);
        }
        return row;
    }

    /** -sum p log p with p from the direct softmax formula. */
    private static double directEntropy(float[] logits) {
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l);
        }
        double h = 0;
        for (float l : logits) {
            double p = Math.exp(l) / sum;
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    @Test
    void entropyMatchesTheDirectFormula() {
        for (int seed = 0; seed < 20; seed++) {
            float[] row = randomRow(seed, 2 + seed * 50);
            assertThat(TokenStatistics.entropy(row)).isCloseTo(directEntropy(row), within(1e-9));
        }
    }

    @Test
    void entropyOfKnownDistributions() {
        float[] uniform = new float[32_000];
        Arrays.fill(uniform, 4.5f);
        assertThat(TokenStatistics.entropy(uniform)).isCloseTo(Math.log(32_000), within(1e-9));
        assertThat(TokenStatistics.entropy(new float[] {2f})).isZero();
        // a masked token adds nothing: two equal live tokens carry one bit
        assertThat(TokenStatistics.entropy(new float[] {0f, Float.NEGATIVE_INFINITY, 0f})).isCloseTo(Math.log(2), within(1e-12));
        // huge logits: effectively a point mass, and finite
        assertThat(TokenStatistics.entropy(new float[] {1e4f, 0f, -1e4f})).isCloseTo(0, within(1e-12));
        float[] hugePair = {1e4f, 1e4f};
        assertThat(TokenStatistics.entropy(hugePair)).isCloseTo(Math.log(2), within(1e-12));
    }

    @Test
    void logProbabilityMatchesTheDirectFormula() {
        float[] row = randomRow(3, 1000);
        double sum = 0;
        for (float l : row) {
            sum += Math.exp(l);
        }
        for (int token : new int[] {0, 17, 999}) {
            assertThat(TokenStatistics.logProbability(row, token)).isCloseTo(Math.log(Math.exp(row[token]) / sum), within(1e-9));
        }
        assertThat(TokenStatistics.logProbability(TIED, 4)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(TokenStatistics.logProbability(new float[] {1e4f, 1e4f}, 1)).isCloseTo(-Math.log(2), within(1e-12));
    }

    @Test
    void topTwoMarginIsTheGapBetweenTheTwoBestLogProbabilities() {
        assertThat(TokenStatistics.topTwoMargin(new float[] {1f, 3.5f, -2f, 2f})).isEqualTo(1.5);
        assertThat(TokenStatistics.topTwoMargin(new float[] {4f, 0f, 4f})).as("a tie").isZero();
        assertThat(TokenStatistics.topTwoMargin(new float[] {Float.NEGATIVE_INFINITY, 7f, Float.NEGATIVE_INFINITY}))
                .as("one possible token").isEqualTo(Double.POSITIVE_INFINITY);
        float[] logits = {0.3f, -1.2f, 2.7f, 2.1f};
        double lse = Math.log(Math.exp(0.3) + Math.exp(-1.2) + Math.exp(2.7) + Math.exp(2.1));
        assertThat(TokenStatistics.topTwoMargin(logits)).isCloseTo((2.7f - lse) - (2.1f - lse), org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void rankCountsStrictlyGreaterLogits() {
        assertThat(TokenStatistics.rank(TIED, 1)).isZero();
        assertThat(TokenStatistics.rank(TIED, 2)).isZero();
        assertThat(TokenStatistics.rank(TIED, 3)).isEqualTo(2);
        assertThat(TokenStatistics.rank(TIED, 5)).isEqualTo(2);
        assertThat(TokenStatistics.rank(TIED, 0)).isEqualTo(4);
        assertThat(TokenStatistics.rank(TIED, 4)).isEqualTo(5);
    }

    @Test
    void topNOrdersByLogProbThenLowerId() {
        TopTokens top = TokenStatistics.topN(TIED, 4);
        assertThat(top.ids()).containsExactly(1, 2, 3, 5);
        double lse = LogSoftmax.logSumExp(TIED);
        assertThat((double) top.logProbAt(0)).isCloseTo(3 - lse, within(1e-6));
        assertThat(top.logProbAt(1)).isEqualTo(top.logProbAt(0));
        assertThat((double) top.logProbAt(2)).isCloseTo(2 - lse, within(1e-6));
        // more than the live tokens: masked ones are left out
        assertThat(TokenStatistics.topN(TIED, 100).ids()).containsExactly(1, 2, 3, 5, 0);
        assertThat(TokenStatistics.topN(TIED, 0).size()).isZero();
        assertThat(TokenStatistics.topN(TIED, 1).ids()).containsExactly(1);
        assertThatIllegalArgumentException().isThrownBy(() -> TokenStatistics.topN(TIED, -1));
    }

    @Test
    void topNMatchesAFullSortOnLargeRows() {
        Random random = new Random(8);
        float[] row = new float[32_000];
        for (int i = 0; i < row.length; i++) {
            row[i] = Math.round(random.nextGaussian() * 20) / 4f; // many ties
        }
        float[] logProbs = LogSoftmax.logSoftmax(row);
        int[] expected = IntStream.range(0, row.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -row[i]).thenComparing(i -> i))
                .limit(50).mapToInt(Integer::intValue).toArray();
        TopTokens top = TokenStatistics.topN(row, 50);
        assertThat(top.ids()).containsExactly(expected);
        for (int i = 0; i < 50; i++) {
            assertThat(top.logProbAt(i)).isEqualTo(logProbs[expected[i]]);
        }
    }

    @Test
    void observeBundlesTheIndividualStatistics() {
        float[] row = randomRow(4, 3000);
        for (int token : new int[] {0, 5, 2999, TokenSampler.argmax(row)}) {
            TokenObservation o = TokenStatistics.observe(row, token);
            assertThat(o.token()).isEqualTo(token);
            assertThat(o.logProb()).isCloseTo(TokenStatistics.logProbability(row, token), within(1e-9));
            assertThat(o.rank()).isEqualTo(TokenStatistics.rank(row, token));
            assertThat(o.entropy()).isCloseTo(TokenStatistics.entropy(row), within(1e-9));
            assertThat(o.maxLogProb()).isCloseTo(TokenStatistics.logProbability(row, TokenSampler.argmax(row)), within(1e-9));
        }
        TokenObservation masked = TokenStatistics.observe(TIED, 4);
        assertThat(masked.logProb()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(masked.rank()).isEqualTo(5);
        assertThat(masked.probability()).isZero();
    }

    @Test
    void rejectsTokensOutsideTheRowAndInvalidRows() {
        for (int token : new int[] {-1, TIED.length}) {
            assertThatIllegalArgumentException().isThrownBy(() -> TokenStatistics.rank(TIED, token)).withMessageContaining("outside");
            assertThatIllegalArgumentException().isThrownBy(() -> TokenStatistics.logProbability(TIED, token));
            assertThatIllegalArgumentException().isThrownBy(() -> TokenStatistics.observe(TIED, token));
        }
        assertThatIllegalArgumentException().isThrownBy(() -> TokenStatistics.entropy(new float[] {Float.NaN}));
        assertThatIllegalArgumentException().isThrownBy(() -> TokenStatistics.entropy(new float[0]));
        assertThatIllegalArgumentException().isThrownBy(() -> TokenStatistics.topN(new float[] {Float.POSITIVE_INFINITY}, 1));
    }
}
