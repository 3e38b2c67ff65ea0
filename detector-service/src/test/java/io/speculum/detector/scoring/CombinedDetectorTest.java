package io.speculum.detector.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CombinedDetectorTest {

    /** A text of {@code n} tokens whose every token has log p = {@code logProb} under a distribution of mean -1, variance 1. */
    private static TextEvidence text(int n, double logProb) {
        List<TokenEvidence> tokens = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tokens.add(new TokenEvidence(i + 1, 5, logProb, 0, 1.0, -1.0, 1.0, -1.0, 1.0));
        }
        return new TextEvidence(tokens, false);
    }

    @Test
    void zScoresCompareWithHumanTextsOfTheSameLengthAndFastDetectGptIsTakenPerToken() {
        TextScore fdg = FastDetectGpt.whiteBox();
        CombinedWeights w = new CombinedWeights("fp", "obs", "test", List.of(fdg.name()),
                List.of(new CombinedWeights.Moments(256, new double[] {0.5}, new double[] {0.5}),
                        new CombinedWeights.Moments(64, new double[] {0.1}, new double[] {0.1})),
                new double[] {1}, new double[] {0}, 0);
        CombinedDetector detector = new CombinedDetector(w, List.of(fdg));
        // fdg of a text with log p − μ = 0.5 per token over n tokens: 0.5 n / sqrt(n); per token: 0.5
        assertThat(detector.zScores(text(64, -0.5))[0]).isCloseTo((0.5 - 0.1) / 0.1, within(1e-9));
        assertThat(detector.zScores(text(256, -0.5))[0]).isCloseTo(0.0, within(1e-9));
        assertThat(detector.zScores(text(1000, -0.5))[0]).isCloseTo(0.0, within(1e-9)); // clamped to the longest
        double mid = detector.zScores(text(128, -0.5))[0]; // halfway in log(tokens): mean 0.3, deviation 0.3
        assertThat(mid).isCloseTo((0.5 - 0.3) / 0.3, within(1e-9));
        assertThat(detector.score(text(64, -0.5))).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void squaredTermsScoreTextAtypicalInEitherDirection() {
        TextScore ll = new MeanLogLikelihood();
        CombinedWeights w = new CombinedWeights("fp", "obs", "test", List.of(ll.name()),
                List.of(new CombinedWeights.Moments(64, new double[] {-1}, new double[] {0.2})), new double[] {0}, new double[] {1}, -4);
        CombinedDetector detector = new CombinedDetector(w, List.of(ll));
        assertThat(detector.score(text(64, -1))).isCloseTo(-4, within(1e-9));
        assertThat(detector.score(text(64, -0.2))).isPositive();
        assertThat(detector.score(text(64, -1.8))).isPositive();
        double[] c = detector.contributions(text(64, -0.2));
        assertThat(c).hasSize(64);
        assertThat(c[0]).isPositive(); // likelier than human text, and the slope points up there
    }

    @Test
    void theTrainerLearnsWhichWayMachineTextLiesAndRejectsOneClassData() {
        Random random = new Random(3);
        TextScore ll = new MeanLogLikelihood();
        List<CombinedDetectorTrainer.Example> examples = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            boolean machine = i % 2 == 0;
            int length = i % 4 < 2 ? 64 : 128;
            examples.add(new CombinedDetectorTrainer.Example(text(length, (machine ? -0.6 : -1.0) + 0.1 * random.nextGaussian()), machine, length));
        }
        CombinedWeights w = CombinedDetectorTrainer.fit("fp", "obs", "t", List.of(ll), examples, false, 0.01);
        assertThat(w.linear()[0]).isPositive();
        assertThat(w.moments()).extracting(CombinedWeights.Moments::tokens).containsExactly(64, 128);
        CombinedDetector detector = new CombinedDetector(w, List.of(ll));
        assertThat(detector.score(text(64, -0.6))).isGreaterThan(detector.score(text(64, -1.0)));
        List<CombinedDetectorTrainer.Example> humansOnly = examples.stream().filter(e -> !e.machine()).toList();
        assertThatThrownBy(() -> CombinedDetectorTrainer.fit("fp", "obs", "t", List.of(ll), humansOnly, false, 0.01))
                .hasMessageContaining("machine and human");
    }

    @Test
    void solvesSmallSystemsAndChecksWeightShapes() {
        double[] x = CombinedDetectorTrainer.solve(new double[][] {{0, 2}, {3, 1}}, new double[] {4, 5});
        assertThat(x[0]).isCloseTo(1, within(1e-12));
        assertThat(x[1]).isCloseTo(2, within(1e-12));
        assertThatThrownBy(() -> new CombinedWeights("fp", "o", "t", List.of("a"),
                List.of(new CombinedWeights.Moments(64, new double[] {0}, new double[] {0})), new double[] {1}, new double[] {0}, 0))
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> new CombinedDetector(new CombinedWeights("fp", "o", "t", List.of("binoculars"),
                List.of(new CombinedWeights.Moments(64, new double[] {0}, new double[] {1})), new double[] {1}, new double[] {0}, 0),
                List.of(new MeanLogLikelihood()))).hasMessageContaining("expect binoculars");
    }
}
