package io.speculum.cascade.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speculum.cascade.calibration.LearnedRuleSearch.Candidate;
import io.speculum.cascade.calibration.LearnedRuleSearch.Kind;
import io.speculum.cascade.deferral.AnswerUncertainty;
import io.speculum.cascade.deferral.DeferralCurve;
import io.speculum.cascade.deferral.Quantiles;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The learned rule's model and penalty are chosen by cross-validation on the fit examples alone. */
class LearnedRuleSearchTest {

    /** Small answers whose quality falls with their least confident token; the large answer is always 1. */
    private static List<CalibrationExample> planted(SplittableRandom random, int n) {
        List<CalibrationExample> examples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int length = 4 + random.nextInt(20);
            double[] logProbs = new double[length];
            double[] entropies = new double[length];
            double[] margins = new double[length];
            for (int t = 0; t < length; t++) {
                logProbs[t] = -random.nextDouble(0, random.nextDouble(0.1, 4));
                entropies[t] = random.nextDouble(0, 3);
                margins[t] = random.nextDouble(0, 4);
            }
            AnswerUncertainty answer = new AnswerUncertainty(logProbs, entropies, margins);
            double quality = Math.max(0, Math.min(1, 1 + Quantiles.of(logProbs, 0) / 4 + 0.05 * random.nextGaussian()));
            examples.add(new CalibrationExample(String.valueOf(i), answer, quality, 1, length, length, length, length));
        }
        return examples;
    }

    @Test
    void picksTheCandidateWithTheBestHeldOutAreaAndItRanksNewAnswers() {
        LearnedRuleSearch search = new LearnedRuleSearch(List.of(Kind.LOGISTIC, Kind.REGRESSION), new double[] {1e-3, 1}, 4, null);
        LearnedRuleSearch.Result result = search.search(planted(new SplittableRandom(11), 200));
        assertThat(result.candidates()).hasSize(4).extracting(Candidate::kind)
                .containsExactly(Kind.LOGISTIC, Kind.LOGISTIC, Kind.REGRESSION, Kind.REGRESSION);
        assertThat(result.chosen()).isEqualTo(result.candidates().stream()
                .max(Comparator.comparingDouble(Candidate::crossValidatedArea)).orElseThrow());

        List<CalibrationExample> test = planted(new SplittableRandom(12), 200);
        double[] small = test.stream().mapToDouble(CalibrationExample::smallQuality).toArray();
        double[] large = test.stream().mapToDouble(CalibrationExample::largeQuality).toArray();
        double[] scores = test.stream().mapToDouble(e -> result.rule().score(e.uncertainty())).toArray();
        DeferralCurve curve = DeferralCurve.of("learned", scores, small, large);
        DeferralCurve random = DeferralCurve.random(small, large);
        DeferralCurve oracle = DeferralCurve.oracle(small, large);
        assertThat((curve.area() - random.area()) / (oracle.area() - random.area())).isGreaterThan(0.7);
    }

    @Test
    void theSearchIsDeterministic() {
        List<CalibrationExample> examples = planted(new SplittableRandom(13), 60);
        LearnedRuleSearch search = new LearnedRuleSearch(List.of(Kind.REGRESSION), new double[] {0.01, 0.1}, 3, null);
        assertThat(search.search(examples).candidates()).isEqualTo(search.search(examples).candidates());
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new LearnedRuleSearch(List.of(), new double[] {1}, 5, null)).hasMessageContaining("kind");
        assertThatThrownBy(() -> new LearnedRuleSearch(List.of(Kind.LOGISTIC), new double[] {0}, 5, null)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new LearnedRuleSearch(List.of(Kind.LOGISTIC), new double[] {1}, 1, null)).hasMessageContaining("2 folds");
    }
}
