package io.speculum.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenSamplerTest {

    private static final int DRAWS = 20_000;
    private static final double ALPHA = 0.001;
    private static final float[] LOGITS = {1.2f, -0.4f, 2.5f, 0.3f, 2.1f, -1.5f, 0.9f, 1.7f};

    // ---- independent references: straightforward double arithmetic, sort, cut, renormalise ----

    /** softmax(logits / t) in double, no max shift needed for small logits. */
    private static double[] softmax(float[] logits, double t) {
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] / t);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The truncated distribution, as a full-vocabulary array (0 outside the kept set). */
    private static double[] truncatedReference(float[] logits, SamplingParams params) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp((logits[i] - max) / params.temperature());
        }
        double[] weights = p.clone();
        List<Integer> order = new ArrayList<>(IntStream.range(0, logits.length).boxed().toList());
        order.sort(Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparing(i -> i));
        List<Integer> kept = new ArrayList<>(order.stream().filter(i -> weights[i] > 0).toList());
        if (params.topK() > 0 && params.topK() < kept.size()) {
            kept = new ArrayList<>(kept.subList(0, params.topK()));
        }
        double total = kept.stream().mapToDouble(i -> weights[i]).sum();
        if (params.topP() < 1) {
            double cumulative = 0;
            int n = 0;
            while (n < kept.size()) {
                cumulative += weights[kept.get(n)] / total;
                n++;
                if (cumulative >= params.topP()) {
                    break;
                }
            }
            kept = new ArrayList<>(kept.subList(0, n));
        }
        double top = weights[kept.get(0)];
        kept.removeIf(i -> weights[i] < params.minP() * top);
        double keptTotal = kept.stream().mapToDouble(i -> weights[i]).sum();
        double[] out = new double[logits.length];
        for (int i : kept) {
            out[i] = weights[i] / keptTotal;
        }
        return out;
    }

    private static long[] histogram(float[] logits, SamplingParams params, int draws) {
        long[] counts = new long[logits.length];
        for (int position = 0; position < draws; position++) {
            counts[TokenSampler.sample(logits, params, SeededUniform.at(params.seed(), position, SeededUniform.STREAM_SAMPLE))]++;
        }
        return counts;
    }

    /** Expected counts and observed counts over the support of {@code expected} (chi-square needs positive expectations). */
    private static boolean rejectsFit(double[] expected, long[] counts) {
        List<Integer> support = IntStream.range(0, expected.length).filter(i -> expected[i] > 0).boxed().toList();
        for (int i = 0; i < counts.length; i++) {
            if (expected[i] == 0) {
                assertThat(counts[i]).as("draws of token %d outside the support", i).isZero();
            }
        }
        double[] e = support.stream().mapToDouble(i -> expected[i]).toArray();
        long[] o = support.stream().mapToLong(i -> counts[i]).toArray();
        return new ChiSquareTest().chiSquareTest(e, o, ALPHA);
    }

    // ---- goodness of fit ----

    @Test
    void drawsAtTemperatureOneFitTheSoftmax() {
        SamplingParams params = SamplingParams.ofTemperature(1, 20240601);
        long[] counts = histogram(LOGITS, params, DRAWS);
        assertThat(rejectsFit(softmax(LOGITS, 1), counts)).isFalse();
        // the test has power: the same draws do not fit a neighbouring temperature
        assertThat(rejectsFit(softmax(LOGITS, 0.85), counts)).isTrue();
    }

    @Test
    void drawsAtTemperatureSevenTenthsFitTheScaledSoftmax() {
        SamplingParams params = SamplingParams.ofTemperature(0.7, 77);
        long[] counts = histogram(LOGITS, params, DRAWS);
        assertThat(rejectsFit(softmax(LOGITS, 0.7), counts)).isFalse();
        assertThat(rejectsFit(softmax(LOGITS, 1), counts)).isTrue();
    }

    @Test
    void truncatedDrawsFitTheTruncatedReference() {
        float[] logits = {0.5f, 2.0f, 1.1f, -0.3f, 1.8f, 0.9f, 1.4f, -2.0f, 0.2f, 1.6f};
        List<SamplingParams> cases = List.of(
                new SamplingParams(1.0, 6, 1, 0, 1),        // top-k alone
                new SamplingParams(0.9, 0, 0.8, 0, 2),      // top-p alone
                new SamplingParams(1.3, 0, 1, 0.2, 3),      // min-p alone
                new SamplingParams(0.8, 7, 0.9, 0.15, 4));  // all three
        for (SamplingParams params : cases) {
            double[] reference = truncatedReference(logits, params);
            long kept = IntStream.range(0, logits.length).filter(i -> reference[i] > 0).count();
            assertThat(kept).as("the case truncates something: %s", params).isBetween(2L, (long) logits.length - 1);
            long[] counts = histogram(logits, params, DRAWS);
            assertThat(rejectsFit(reference, counts)).as("fit for %s", params).isFalse();
        }
    }

    // ---- the distribution itself ----

    @Test
    void distributionMatchesTheReferenceOnRandomRowsAndParams() {
        Random random = new Random(5);
        for (int trial = 0; trial < 300; trial++) {
            int vocab = 1 + random.nextInt(trial < 250 ? 60 : 5000);
            float[] logits = new float[vocab];
            for (int i = 0; i < vocab; i++) {
                // coarse values so ties happen, and some masked tokens
                logits[i] = random.nextInt(10) == 0 ? Float.NEGATIVE_INFINITY : Math.round(random.nextGaussian() * 8) / 2f;
            }
            logits[random.nextInt(vocab)] = 3f;
            SamplingParams params = new SamplingParams(0.3 + random.nextDouble() * 1.5, random.nextInt(4) == 0 ? 0 : random.nextInt(vocab + 3) - 1,
                    random.nextInt(3) == 0 ? 1 : 0.05 + 0.95 * random.nextDouble(), random.nextInt(3) == 0 ? 0 : random.nextDouble() * 0.5, trial);
            assertMatchesReference(logits, params);
        }
    }

    @Test
    void distributionMatchesTheReferenceAtFullVocabularySize() {
        Random random = new Random(11);
        float[] logits = new float[32_000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        assertMatchesReference(logits, SamplingParams.llamaCppDefaults(1));
        assertMatchesReference(logits, SamplingParams.ofTemperature(0.7, 1).withTopP(0.9));
        assertMatchesReference(logits, SamplingParams.ofTemperature(1.1, 1).withMinP(0.01));
        assertMatchesReference(logits, SamplingParams.ofTemperature(1, 1).withTopK(1000));
    }

    private static void assertMatchesReference(float[] logits, SamplingParams params) {
        double[] reference = truncatedReference(logits, params);
        SparseDistribution d = TokenSampler.distribution(logits, params);
        int support = (int) IntStream.range(0, logits.length).filter(i -> reference[i] > 0).count();
        assertThat(d.size()).as("support size for %s", params).isEqualTo(support);
        for (int i = 0; i < d.size(); i++) {
            assertThat((double) d.probAt(i)).as("p(%d) for %s", d.idAt(i), params).isCloseTo(reference[d.idAt(i)], within(1e-6));
            if (i > 0) {
                assertThat(d.probAt(i)).isLessThanOrEqualTo(d.probAt(i - 1));
                if (d.probAt(i) == d.probAt(i - 1)) {
                    assertThat(d.idAt(i)).as("ties by lower id").isGreaterThan(d.idAt(i - 1));
                }
            }
        }
    }

    @Test
    void sampleDrawsFromTheStoredOrderOfItsDistribution() {
        Random random = new Random(3);
        float[] logits = new float[2000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextGaussian();
        }
        for (SamplingParams params : List.of(SamplingParams.llamaCppDefaults(0), SamplingParams.ofTemperature(0.5, 0),
                SamplingParams.ofTemperature(1, 0).withTopP(0.5))) {
            SparseDistribution d = TokenSampler.distribution(logits, params);
            for (int position = 0; position < 500; position++) {
                double u = SeededUniform.at(9, position, SeededUniform.STREAM_SAMPLE);
                assertThat(TokenSampler.sample(logits, params, u)).isEqualTo(TokenSampler.sample(d, u));
            }
        }
    }

    // ---- inverse CDF ----

    @Test
    void inverseCdfFollowsStoredOrder() {
        SparseDistribution d = new SparseDistribution(new int[] {5, 3, 9}, new float[] {0.5f, 0.3f, 0.2f});
        assertThat(TokenSampler.sample(d, 0.0)).isEqualTo(5);
        assertThat(TokenSampler.sample(d, 0.4999)).isEqualTo(5);
        assertThat(TokenSampler.sample(d, 0.5001)).isEqualTo(3);
        assertThat(TokenSampler.sample(d, 0.7999)).isEqualTo(3);
        assertThat(TokenSampler.sample(d, 0.8001)).isEqualTo(9);
        assertThat(TokenSampler.sample(d, Math.nextDown(1.0))).isEqualTo(9);
    }

    @Test
    void aUniformOnACumulativeBoundaryGoesToTheNextToken() {
        SparseDistribution d = new SparseDistribution(new int[] {8, 6}, new float[] {0.5f, 0.5f});
        assertThat(TokenSampler.sample(d, 0.5)).isEqualTo(6);
        assertThat(TokenSampler.sample(d, Math.nextDown(0.5))).isEqualTo(8);
    }

    @Test
    void zeroProbabilityEntriesAreNeverDrawn() {
        SparseDistribution d = new SparseDistribution(new int[] {1, 2, 3, 4}, new float[] {0.5f, 0f, 0.5f, 0f});
        for (int i = 0; i < 1000; i++) {
            assertThat(TokenSampler.sample(d, i / 1000.0)).isIn(1, 3);
        }
        assertThat(TokenSampler.sample(d, Math.nextDown(1.0))).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1e-12, 1.0, 1.5, Double.NaN})
    void rejectsUniformsOutsideTheUnitInterval(double u) {
        assertThatIllegalArgumentException().isThrownBy(() -> TokenSampler.sample(SparseDistribution.pointMass(1), u))
                .withMessageContaining("uniform");
        assertThatIllegalArgumentException().isThrownBy(() -> TokenSampler.sample(LOGITS, SamplingParams.ofTemperature(1, 0), u));
    }

    // ---- determinism ----

    private static List<Integer> generate(long seed) {
        SamplingParams params = SamplingParams.ofTemperature(1, seed);
        float[] flat = {0.1f, 0.0f, 0.2f, 0.15f, -0.1f, 0.05f, 0.0f, 0.1f};
        List<Integer> tokens = new ArrayList<>();
        for (int position = 0; position < 200; position++) {
            tokens.add(TokenSampler.sample(flat, params, SeededUniform.at(seed, position, SeededUniform.STREAM_SAMPLE)));
        }
        return tokens;
    }

    @Test
    void sameSeedSameSequenceDifferentSeedDifferentSequence() {
        assertThat(generate(1234)).isEqualTo(generate(1234));
        assertThat(generate(1234)).isNotEqualTo(generate(1235));
        assertThat(generate(-1)).isNotEqualTo(generate(0));
        assertThat(generate(1234).stream().distinct().count()).as("not stuck on one token").isGreaterThan(4);
    }

    // ---- greedy ----

    @Test
    void greedyIsArgmaxWithLowestIdOnTiesAndIgnoresTheUniform() {
        float[] tied = {1f, 3f, -2f, 3f, 0f};
        assertThat(TokenSampler.argmax(tied)).isEqualTo(1);
        assertThat(TokenSampler.argmax(LOGITS)).isEqualTo(2);
        assertThat(TokenSampler.sample(tied, SamplingParams.greedy(), 0.999)).isEqualTo(1);
        assertThat(TokenSampler.sample(tied, SamplingParams.greedy(), Double.NaN)).isEqualTo(1);
        assertThat(TokenSampler.distribution(tied, SamplingParams.greedy())).isEqualTo(SparseDistribution.pointMass(1));
        // truncation settings do not matter at temperature 0
        assertThat(TokenSampler.distribution(tied, SamplingParams.llamaCppDefaults(5).withTemperature(0)))
                .isEqualTo(SparseDistribution.pointMass(1));
        assertThat(TokenSampler.argmax(new float[] {Float.NEGATIVE_INFINITY, -5f, Float.NEGATIVE_INFINITY})).isEqualTo(1);
    }

    // ---- truncation edge cases ----

    @Test
    void tinyTopPKeepsExactlyTheTopToken() {
        SparseDistribution d = TokenSampler.distribution(LOGITS, SamplingParams.ofTemperature(1, 0).withTopP(1e-9));
        assertThat(d).isEqualTo(SparseDistribution.pointMass(2));
        // on a tie at the top, the lower id
        SparseDistribution tie = TokenSampler.distribution(new float[] {0f, 2f, 2f, 1f}, SamplingParams.ofTemperature(1, 0).withTopP(1e-9));
        assertThat(tie).isEqualTo(SparseDistribution.pointMass(1));
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingIt() {
        // probabilities 0.5, 0.3, 0.15, 0.05
        float[] logits = {(float) Math.log(0.15), (float) Math.log(0.5), (float) Math.log(0.05), (float) Math.log(0.3)};
        assertThat(TokenSampler.distribution(logits, SamplingParams.ofTemperature(1, 0).withTopP(0.79)).ids()).containsExactly(1, 3);
        assertThat(TokenSampler.distribution(logits, SamplingParams.ofTemperature(1, 0).withTopP(0.81)).ids()).containsExactly(1, 3, 0);
        SparseDistribution d = TokenSampler.distribution(logits, SamplingParams.ofTemperature(1, 0).withTopP(0.5));
        assertThat(d.ids()).containsExactly(1);
    }

    @Test
    void topPStopsAsSoonAsTheCumulativeProbabilityReachesIt() {
        // four equal tokens: cumulative 0.25, 0.5 (exactly), ...
        SparseDistribution d = TokenSampler.distribution(new float[] {0f, 0f, 0f, 0f}, SamplingParams.ofTemperature(1, 0).withTopP(0.5));
        assertThat(d.ids()).containsExactly(0, 1);
    }

    @Test
    void probabilitiesThatRoundToTheSameFloatAreTiesBrokenByLowerId() {
        float[] logits = {Math.nextDown(1f), 1f};
        SparseDistribution d = TokenSampler.distribution(logits, SamplingParams.ofTemperature(1, 0));
        assertThat(d.probAt(0)).as("precondition: the two probabilities round to one float").isEqualTo(d.probAt(1));
        assertThat(d.ids()).containsExactly(0, 1);
    }

    @Test
    void minPDropsTokensBelowTheFractionOfTheTopProbability() {
        // relative probabilities 1, 0.5, 0.1, 0.04
        float[] logits = {(float) Math.log(0.1), 0f, (float) Math.log(0.04), (float) Math.log(0.5)};
        SparseDistribution d = TokenSampler.distribution(logits, SamplingParams.ofTemperature(1, 0).withMinP(0.06));
        assertThat(d.ids()).containsExactly(1, 3, 0);
        assertThat((double) d.probAt(0)).isCloseTo(1 / 1.6, within(1e-6));
        assertThat(TokenSampler.distribution(logits, SamplingParams.ofTemperature(1, 0).withMinP(0.6)))
                .isEqualTo(SparseDistribution.pointMass(1));
        // min-p is judged after temperature: at T = 0.5 the ratios square (1, 0.25, 0.01, 0.0016)
        assertThat(TokenSampler.distribution(logits, SamplingParams.ofTemperature(0.5, 0).withMinP(0.06)).ids()).containsExactly(1, 3);
    }

    @Test
    void topKAtOrAboveVocabularySizeKeepsEverything() {
        for (int k : new int[] {LOGITS.length, LOGITS.length + 1, Integer.MAX_VALUE}) {
            SparseDistribution d = TokenSampler.distribution(LOGITS, SamplingParams.ofTemperature(1, 0).withTopK(k));
            assertThat(d.size()).isEqualTo(LOGITS.length);
            assertThat(d).isEqualTo(TokenSampler.distribution(LOGITS, SamplingParams.ofTemperature(1, 0)));
        }
        assertThat(TokenSampler.distribution(LOGITS, SamplingParams.ofTemperature(1, 0).withTopK(1)))
                .isEqualTo(SparseDistribution.pointMass(2));
        assertThat(TokenSampler.distribution(LOGITS, SamplingParams.ofTemperature(1, 0).withTopK(3)).ids()).containsExactly(2, 4, 7);
    }

    @Test
    void topKBreaksTiesByLowerId() {
        float[] logits = {1f, 2f, 2f, 2f, 0f};
        SparseDistribution d = TokenSampler.distribution(logits, SamplingParams.ofTemperature(1, 0).withTopK(2));
        assertThat(d.ids()).containsExactly(1, 2);
        assertThat(d.probs()).containsExactly(0.5f, 0.5f);
    }

    @Test
    void allEqualLogitsGiveTheUniformDistributionInIdOrder() {
        float[] logits = new float[7];
        java.util.Arrays.fill(logits, -3.25f);
        SparseDistribution d = TokenSampler.distribution(logits, SamplingParams.llamaCppDefaults(0).withTopP(1).withTopK(0));
        assertThat(d.ids()).containsExactly(0, 1, 2, 3, 4, 5, 6);
        for (int i = 0; i < 7; i++) {
            assertThat((double) d.probAt(i)).isCloseTo(1 / 7.0, within(1e-7));
        }
        // top-p 0.5 over 7 equal tokens keeps 4 (3/7 < 0.5 <= 4/7), the lowest ids
        assertThat(TokenSampler.distribution(logits, SamplingParams.ofTemperature(1, 0).withTopP(0.5)).ids()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void maskedTokensAreNeverInTheDistribution() {
        float n = Float.NEGATIVE_INFINITY;
        float[] logits = {n, 0.5f, n, 0.5f, n};
        SparseDistribution d = TokenSampler.distribution(logits, SamplingParams.ofTemperature(1, 0));
        assertThat(d).isEqualTo(new SparseDistribution(new int[] {1, 3}, new float[] {0.5f, 0.5f}));
        // top-k larger than the unmasked set
        assertThat(TokenSampler.distribution(logits, SamplingParams.ofTemperature(1, 0).withTopK(4))).isEqualTo(d);
        assertThat(TokenSampler.distribution(new float[] {n, n, 2f}, SamplingParams.llamaCppDefaults(1)))
                .isEqualTo(SparseDistribution.pointMass(2));
    }

    @Test
    void extremeTemperaturesAndLogitsStayWellDefined() {
        // near-zero temperature: everything but the top underflows and is left out
        assertThat(TokenSampler.distribution(LOGITS, SamplingParams.ofTemperature(1e-6, 0))).isEqualTo(SparseDistribution.pointMass(2));
        // huge temperature: nearly uniform
        SparseDistribution hot = TokenSampler.distribution(LOGITS, SamplingParams.ofTemperature(1e6, 0));
        for (int i = 0; i < hot.size(); i++) {
            assertThat((double) hot.probAt(i)).isCloseTo(1.0 / LOGITS.length, within(1e-5));
        }
        // huge logits
        SparseDistribution big = TokenSampler.distribution(new float[] {1e4f, 1e4f - 1, -1e4f}, SamplingParams.ofTemperature(1, 0));
        assertThat(big.ids()).containsExactly(0, 1);
        assertThat((double) big.probAt(0)).isCloseTo(1 / (1 + Math.exp(-1)), within(1e-6));
    }

    @Test
    void invalidRowsAreRejected() {
        SamplingParams params = SamplingParams.llamaCppDefaults(0);
        float n = Float.NEGATIVE_INFINITY;
        assertThatIllegalArgumentException().isThrownBy(() -> TokenSampler.distribution(new float[0], params)).withMessageContaining("non-empty");
        assertThatIllegalArgumentException().isThrownBy(() -> TokenSampler.distribution(null, params)).withMessageContaining("non-empty");
        assertThatIllegalArgumentException().isThrownBy(() -> TokenSampler.distribution(new float[] {1f, Float.NaN}, params)).withMessageContaining("NaN");
        assertThatIllegalArgumentException().isThrownBy(() -> TokenSampler.distribution(new float[] {1f, Float.POSITIVE_INFINITY}, params))
                .withMessageContaining("Infinity");
        assertThatIllegalArgumentException().isThrownBy(() -> TokenSampler.distribution(new float[] {n, n}, params)).withMessageContaining("-Infinity");
        assertThatIllegalArgumentException().isThrownBy(() -> TokenSampler.argmax(new float[] {Float.NaN}));
        assertThatIllegalArgumentException().isThrownBy(() -> TokenSampler.sample(new float[] {n}, SamplingParams.greedy(), 0));
    }
}
