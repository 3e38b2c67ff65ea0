package io.speculum.detector.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LearnedDetectorTest {

    @Test
    void theScoreIsTheAttentionWeightedVoteOfStandardisedFeatures() {
        TextEvidence text = new ScoringFixtures(3, 12, 60).evidence(false);
        int d = TokenFeatures.NAMES.size();
        Random random = new Random(1);
        double[] means = random.doubles(d).toArray();
        double[] scales = random.doubles(d, 0.5, 2).toArray();
        double[] a = random.doubles(d, -1, 1).toArray();
        double[] b = random.doubles(d, -1, 1).toArray();
        LearnedWeights w = new LearnedWeights("fp", "test", TokenFeatures.NAMES, means, scales, a, b, 0.3);

        // reference: softmax over relevance, then the weighted vote, written out
        double[] u = new double[text.size()];
        double[] v = new double[text.size()];
        double z = 0;
        for (int t = 0; t < text.size(); t++) {
            double[] raw = TokenFeatures.of(text, t);
            for (int j = 0; j < d; j++) {
                double x = (raw[j] - means[j]) / scales[j];
                u[t] += a[j] * x;
                v[t] += b[j] * x;
            }
            u[t] = Math.exp(u[t]);
            z += u[t];
        }
        double expected = 0.3;
        for (int t = 0; t < text.size(); t++) {
            expected += u[t] / z * v[t];
        }
        assertThat(new LearnedDetector(w).score(text)).isCloseTo(expected, within(1e-9));
        assertThat(TokenFeatures.of(text, 0)[0]).isEqualTo(text.get(0).logProb());
        assertThat(TokenFeatures.of(text, 11)[TokenFeatures.NAMES.indexOf("relativePosition")]).isEqualTo(1.0);
    }

    @Test
    void trainingSeparatesTextsThatDifferInTheirTokenStatistics() {
        List<LearnedDetectorTrainer.Example> examples = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            examples.add(new LearnedDetectorTrainer.Example(synthetic(i, -1.0), true));
            examples.add(new LearnedDetectorTrainer.Example(synthetic(1000 + i, -2.0), false));
        }
        LearnedWeights w = LearnedDetectorTrainer.defaults().train("fp", "synthetic", examples);
        LearnedDetector detector = new LearnedDetector(w);
        int correct = 0;
        for (int i = 0; i < 20; i++) {
            correct += detector.score(synthetic(5000 + i, -1.0)) > 0 ? 1 : 0;
            correct += detector.score(synthetic(6000 + i, -2.0)) < 0 ? 1 : 0;
        }
        assertThat(correct).isGreaterThanOrEqualTo(38);
        assertThatThrownBy(() -> LearnedDetectorTrainer.defaults().train("fp", "x", examples.subList(0, 1)))
                .hasMessageContaining("machine and human");
    }

    @Test
    void weightsForOtherFeaturesAreRefused() {
        double[] seven = new double[TokenFeatures.NAMES.size()];
        double[] ones = java.util.stream.DoubleStream.generate(() -> 1).limit(seven.length).toArray();
        assertThatThrownBy(() -> new LearnedWeights("fp", "x", List.of("logProb"), seven, ones, seven, seven, 0))
                .hasMessageContaining("features");
        assertThatThrownBy(() -> new LearnedWeights("fp", "x", TokenFeatures.NAMES, seven, seven, seven, seven, 0))
                .hasMessageContaining("scales");
    }

    /** A text whose tokens' log-probabilities centre on {@code meanLogProb}. */
    private static TextEvidence synthetic(long seed, double meanLogProb) {
        Random random = new Random(seed);
        List<TokenEvidence> tokens = new ArrayList<>();
        for (int t = 0; t < 30; t++) {
            double lp = Math.min(0, meanLogProb + random.nextGaussian() * 0.8);
            double h = 1.5 + random.nextGaussian() * 0.3;
            tokens.add(new TokenEvidence(t + 1, random.nextInt(100), lp, random.nextInt(5), h, -h, 1, -h, 1));
        }
        return new TextEvidence(tokens, false);
    }
}
