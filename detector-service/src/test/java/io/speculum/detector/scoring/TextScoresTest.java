package io.speculum.detector.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextScoresTest {

    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 64})
    void everyTextScoreEqualsTheReferenceComputation(int length) {
        ScoringFixtures f = new ScoringFixtures(length * 31L, length, 120);
        TextEvidence single = f.evidence(false);
        TextEvidence pair = f.evidence(true);
        List<Double> logProbs = perToken(length, t -> Reference.logProb(f.scoring[t], f.tokens[t]));
        List<Double> logRanks = perToken(length, t -> Math.log(1 + Reference.rank(f.scoring[t], f.tokens[t])));
        List<Double> entropies = perToken(length, t -> Reference.entropy(f.scoring[t]));
        List<Double> standardised = perToken(length, t -> {
            double[] m = Reference.moments(f.scoring[t], f.scoring[t]);
            return (Reference.logProb(f.scoring[t], f.tokens[t]) - m[0]) / Math.sqrt(m[1]);
        });

        assertThat(new MeanLogLikelihood().score(single)).isCloseTo(Reference.mean(logProbs), within(TOLERANCE));
        assertThat(new MeanLogRank().score(single)).isCloseTo(Reference.mean(logRanks), within(TOLERANCE));
        assertThat(new MeanEntropy().score(single)).isCloseTo(Reference.mean(entropies), within(TOLERANCE));
        assertThat(new MinKProb(0.2).score(single)).isCloseTo(Reference.meanOfLowest(logProbs, 0.2), within(TOLERANCE));
        assertThat(new MinKProb(0.5).score(single)).isCloseTo(Reference.meanOfLowest(logProbs, 0.5), within(TOLERANCE));
        assertThat(new MinKPlusPlus(0.2).score(single)).isCloseTo(Reference.meanOfLowest(standardised, 0.2), within(TOLERANCE));
        assertThat(FastDetectGpt.whiteBox().score(single))
                .isCloseTo(Reference.fastDetectGpt(f.scoring, f.scoring, f.tokens), within(TOLERANCE));
        assertThat(FastDetectGpt.withSamplingModel().score(pair))
                .isCloseTo(Reference.fastDetectGpt(f.scoring, f.reference, f.tokens), within(TOLERANCE));
        assertThat(new Binoculars().score(pair)).isCloseTo(Reference.binoculars(f.scoring, f.reference, f.tokens), within(TOLERANCE));
        assertThat(new Binoculars().score(single)).isCloseTo(Reference.binoculars(f.scoring, f.scoring, f.tokens), within(TOLERANCE));

        long[] counts = new Random(length).longs(120, 0, 50).toArray();
        TokenFrequencies table = new TokenFrequencies("fp", "test", java.util.Arrays.stream(counts).sum(), counts);
        assertThat(new DcPdd(table, 0.4).score(single)).isCloseTo(Reference.dcPdd(f.scoring, f.tokens, counts, 0.4), within(TOLERANCE));
        assertThat(new DcPdd(table).score(single))
                .isCloseTo(Reference.dcPdd(f.scoring, f.tokens, counts, DcPdd.DEFAULT_CAP), within(TOLERANCE));
    }

    @Test
    void contributionsAddUpToTheOrientedScore() {
        ScoringFixtures f = new ScoringFixtures(5, 30, 80);
        TextEvidence pair = f.evidence(true);
        long[] counts = new long[80];
        counts[3] = 10;
        List<TextScore> methods = List.of(new MeanLogLikelihood(), new MeanLogRank(), new MeanEntropy(), new MinKProb(),
                new MinKPlusPlus(), FastDetectGpt.whiteBox(), FastDetectGpt.withSamplingModel(), new Binoculars(),
                new DcPdd(new TokenFrequencies("fp", "t", 10, counts)));
        for (TextScore method : methods) {
            double sum = 0;
            for (double c : method.contributions(pair)) {
                sum += c;
            }
            assertThat(sum).as(method.name()).isCloseTo(method.oriented(pair), within(1e-9));
        }
    }

    @Test
    void minKSelectsAtLeastOneTokenAndBreaksTiesByPosition() {
        List<TokenEvidence> tokens = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tokens.add(new TokenEvidence(i + 1, 0, -1.0, 0, 1, -1, 0.5, -1, 0.5));
        }
        TextEvidence text = new TextEvidence(tokens, false);
        double[] c = new MinKProb(0.1).contributions(text);
        assertThat(c).containsExactly(-1.0, 0.0, 0.0, 0.0);
        assertThatThrownBy(() -> new MinKProb(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MinKProb(1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void degenerateTexts() {
        TextEvidence empty = new TextEvidence(List.of(), false);
        assertThatThrownBy(() -> new MeanLogLikelihood().score(empty)).hasMessageContaining("at least one");
        assertThatThrownBy(() -> FastDetectGpt.whiteBox().score(empty)).hasMessageContaining("at least one");
        // a certain model: no variance, the discrepancy is 0 rather than NaN
        TextEvidence certain = new TextEvidence(List.of(new TokenEvidence(1, 2, 0, 0, 0, 0, 0, 0, 0)), false);
        assertThat(FastDetectGpt.whiteBox().score(certain)).isZero();
        assertThat(new MinKPlusPlus().score(certain)).isZero();
        // the sampling variant needs a second observer's statistics
        assertThatThrownBy(() -> FastDetectGpt.withSamplingModel().score(certain)).hasMessageContaining("sampling");
        // a frequency table of another vocabulary size
        TextEvidence big = new TextEvidence(List.of(new TokenEvidence(1, 700, -1, 0, 1, -1, 1, -1, 1)), false);
        assertThatThrownBy(() -> new DcPdd(new TokenFrequencies("fp", "t", 0, new long[512])).score(big))
                .hasMessageContaining("outside the frequency table");
        assertThatThrownBy(() -> new TokenFrequencies("fp", "t", 5, new long[3])).hasMessageContaining("sum");
    }

    private static List<Double> perToken(int length, IntFunction<Double> value) {
        List<Double> out = new ArrayList<>();
        for (int t = 0; t < length; t++) {
            out.add(value.apply(t));
        }
        return out;
    }
}
