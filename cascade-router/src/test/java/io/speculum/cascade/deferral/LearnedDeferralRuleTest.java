package io.speculum.cascade.deferral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The learned rule finds a planted pattern that no Chow rule sees, and survives a save and load. */
class LearnedDeferralRuleTest {

    @TempDir
    Path dir;

    /**
     * Bad answers are exactly those whose 90% entropy quantile is above 1.5 nats; token log-probabilities are drawn
     * independently of the label, so the log-probability rules are blind to it.
     */
    private static List<AnswerUncertainty> planted(SplittableRandom random, int n, boolean[] bad) {
        List<AnswerUncertainty> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int length = 4 + random.nextInt(30);
            double[] logProbs = new double[length];
            double[] entropies = new double[length];
            double[] margins = new double[length];
            double level = random.nextDouble(0.2, 2.8);
            for (int t = 0; t < length; t++) {
                logProbs[t] = -random.nextDouble(0, 3);
                entropies[t] = random.nextDouble(0, level);
                margins[t] = random.nextDouble(0, 4);
            }
            answers.add(new AnswerUncertainty(logProbs, entropies, margins));
            bad[i] = Quantiles.of(entropies, 0.9) > 1.5;
        }
        return answers;
    }

    @Test
    void recoversAPlantedSeparablePattern() {
        boolean[] trainLabels = new boolean[400];
        List<AnswerUncertainty> train = planted(new SplittableRandom(1), 400, trainLabels);
        LearnedDeferralRule rule = LearnedDeferralRule.fit(train, trainLabels, 1e-3);

        boolean[] testLabels = new boolean[400];
        List<AnswerUncertainty> test = planted(new SplittableRandom(2), 400, testLabels);
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            if ((rule.score(test.get(i)) > 0.5) == testLabels[i]) {
                correct++;
            }
        }
        assertThat(correct).as("held-out accuracy of the planted rule").isGreaterThanOrEqualTo(380);

        double[] weights = rule.model().weights();
        List<String> names = DeferralFeatures.names();
        int heaviest = 0;
        for (int j = 1; j < weights.length; j++) {
            heaviest = Math.abs(weights[j]) > Math.abs(weights[heaviest]) ? j : heaviest;
        }
        // entropy-q0.9 and share-entropy-above-1.5 both read the planted pattern
        assertThat(names.get(heaviest)).as("the heaviest feature").isIn("entropy-q0.9", "share-entropy-above-1.5");
        assertThat(weights[names.indexOf("entropy-q0.9")]).as("more entropy, more deferral").isPositive();
        for (int j = 0; j < weights.length; j++) {
            if (names.get(j).startsWith("logprob-")) {
                assertThat(Math.abs(weights[j])).as(names.get(j) + " carries no signal").isLessThan(Math.abs(weights[heaviest]) / 3);
            }
        }

        int chowCorrect = 0;
        double[] chowScores = test.stream().mapToDouble(new ChowAverage()::score).toArray();
        double median = Quantiles.of(chowScores, 0.5);
        for (int i = 0; i < test.size(); i++) {
            if ((chowScores[i] > median) == testLabels[i]) {
                chowCorrect++;
            }
        }
        assertThat(chowCorrect).as("the log-probabilities carry no signal here").isLessThan(280);
    }

    @Test
    void theRegressionRuleRanksAPlantedGain() {
        // the gain of deferring grows with the 90% entropy quantile; the log-probabilities carry no signal
        boolean[] unused = new boolean[400];
        List<AnswerUncertainty> train = planted(new SplittableRandom(4), 400, unused);
        List<AnswerUncertainty> test = planted(new SplittableRandom(5), 400, unused);
        SplittableRandom noise = new SplittableRandom(6);
        LearnedDeferralRule rule = LearnedDeferralRule.fitGains(train, gains(train, noise), 1e-3);
        assertThat(rule.model()).isInstanceOf(RidgeRegression.class);

        double[] testGains = gains(test, noise);
        double[] small = new double[test.size()];
        double[] large = testGains.clone(); // small quality 0: the large answer's quality is the gain
        double[] scores = test.stream().mapToDouble(rule::score).toArray();
        DeferralCurve curve = DeferralCurve.of("learned", scores, small, large);
        DeferralCurve random = DeferralCurve.random(small, large);
        DeferralCurve oracle = DeferralCurve.oracle(small, large);
        double gapClosed = (curve.area() - random.area()) / (oracle.area() - random.area());
        assertThat(gapClosed).as("share of the random-oracle gap closed on held-out answers").isGreaterThan(0.8);
        assertThat(curve.interiorRatesAtLeast(random)).isEqualTo(test.size() - 1);
    }

    private static double[] gains(List<AnswerUncertainty> answers, SplittableRandom noise) {
        return answers.stream().mapToDouble(a -> Quantiles.of(a.entropies(), 0.9) + 0.05 * noise.nextGaussian()).toArray();
    }

    @Test
    void aSavedRegressionRuleLoadsWithTheSameScores() {
        boolean[] labels = new boolean[100];
        List<AnswerUncertainty> answers = planted(new SplittableRandom(3), 100, labels);
        LearnedDeferralRule rule = LearnedDeferralRule.fitGains(answers, gains(answers, new SplittableRandom(9)), 1e-2);
        Path file = dir.resolve("regression.json");
        rule.save(file);
        LearnedDeferralRule loaded = LearnedDeferralRule.load(file);
        assertThat(loaded.model()).isInstanceOf(RidgeRegression.class);
        for (AnswerUncertainty answer : answers) {
            assertThat(loaded.score(answer)).isEqualTo(rule.score(answer));
        }
    }

    @Test
    void aSavedRuleLoadsWithTheSameScores() {
        boolean[] labels = new boolean[100];
        List<AnswerUncertainty> answers = planted(new SplittableRandom(3), 100, labels);
        LearnedDeferralRule rule = LearnedDeferralRule.fit(answers, labels, 1e-2);
        Path file = dir.resolve("rule.json");
        rule.save(file);
        LearnedDeferralRule loaded = LearnedDeferralRule.load(file);
        for (AnswerUncertainty answer : answers) {
            assertThat(loaded.score(answer)).isEqualTo(rule.score(answer));
        }
        assertThat(DeferralRules.byName("learned", file).score(answers.get(0))).isEqualTo(rule.score(answers.get(0)));
    }

    @Test
    void aBadFileIsRefusedWithItsName() throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.json"), "{\"kind\":\"mlp\"}");
        assertThatThrownBy(() -> LearnedDeferralRule.load(garbage)).hasMessageContaining("garbage.json")
                .hasMessageContaining("logistic-regression").hasMessageContaining("ridge-regression");
        assertThatThrownBy(() -> LearnedDeferralRule.load(dir.resolve("missing.json"))).hasMessageContaining("does not exist");
        Path other = Files.writeString(dir.resolve("other.json"),
                "{\"kind\":\"logistic-regression\",\"features\":[\"x\"],\"means\":[0],\"scales\":[1],\"weights\":[1],\"bias\":0}");
        assertThatThrownBy(() -> LearnedDeferralRule.load(other)).hasMessageContaining("fit it again");
    }
}
