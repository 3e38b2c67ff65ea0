package io.speculum.cascade.deferral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each Chow rule against values computed by hand; the registry finds every rule by its name. */
class DeferralRulesTest {

    // sorted: -2.0, -1.0, -0.5, -0.1
    private static final AnswerUncertainty ANSWER = new AnswerUncertainty(new double[] {-0.1, -2.0, -0.5, -1.0},
            new double[] {0.3, 2.1, 1.0, 1.4}, new double[] {3, 0.1, 1, 0.5});

    @Test
    void chowSumIsTheNegatedSequenceLogProbability() {
        assertThat(new ChowSum().score(ANSWER)).isCloseTo(3.6, within(1e-12));
    }

    @Test
    void chowAverageIsTheMeanSurprisal() {
        assertThat(new ChowAverage().score(ANSWER)).isCloseTo(0.9, within(1e-12));
    }

    @Test
    void chowQuantileInterpolatesBetweenOrderStatistics() {
        assertThat(new ChowQuantile(0).score(ANSWER)).as("least confident token").isCloseTo(2.0, within(1e-12));
        assertThat(new ChowQuantile(0.25).score(ANSWER)).as("h = 0.75: -2 + 0.75 * 1").isCloseTo(1.25, within(1e-12));
        assertThat(new ChowQuantile(0.5).score(ANSWER)).as("h = 1.5: -1 + 0.5 * 0.5").isCloseTo(0.75, within(1e-12));
        assertThat(new ChowQuantile(1).score(ANSWER)).as("most confident token").isCloseTo(0.1, within(1e-12));
    }

    @Test
    void chowSumHasTheLengthBiasTheAverageAndQuantilesDoNot() {
        AnswerUncertainty shortAnswer = new AnswerUncertainty(new double[] {-0.5, -0.5}, new double[2], new double[2]);
        AnswerUncertainty longAnswer = new AnswerUncertainty(new double[] {-0.5, -0.5, -0.5, -0.5, -0.5, -0.5},
                new double[6], new double[6]);
        assertThat(new ChowSum().score(longAnswer)).isGreaterThan(new ChowSum().score(shortAnswer));
        assertThat(new ChowAverage().score(longAnswer)).isEqualTo(new ChowAverage().score(shortAnswer));
        assertThat(new ChowQuantile(0.1).score(longAnswer)).isEqualTo(new ChowQuantile(0.1).score(shortAnswer));
    }

    @Test
    void anEmptyAnswerIsAlwaysDeferred() {
        AnswerUncertainty empty = new AnswerUncertainty(new double[0], new double[0], new double[0]);
        assertThat(new ChowSum().score(empty)).isInfinite();
        assertThat(new ChowAverage().score(empty)).isInfinite();
        assertThat(new ChowQuantile(0.1).score(empty)).isInfinite();
    }

    @Test
    void rulesAreFoundByTheirNames() {
        assertThat(DeferralRules.byName("chow-sum", null)).isInstanceOf(ChowSum.class);
        assertThat(DeferralRules.byName("chow-average", null)).isInstanceOf(ChowAverage.class);
        assertThat(((ChowQuantile) DeferralRules.byName("chow-quantile-0.1", null)).alpha()).isEqualTo(0.1);
        assertThat(DeferralRules.byName("chow-quantile-0.1", null).name()).isEqualTo("chow-quantile-0.1");
        assertThatThrownBy(() -> DeferralRules.byName("chow-quantile-2", null)).hasMessageContaining("alpha");
        assertThatThrownBy(() -> DeferralRules.byName("prompt-length", null)).hasMessageContaining("unknown deferral rule");
        assertThatThrownBy(() -> DeferralRules.byName("learned", null)).hasMessageContaining("model file");
    }

    @Test
    void everyRegisteredRuleIsFoundByTheNameItReports() throws IOException {
        Path model = Files.createTempFile("learned-rule", ".json");
        try {
            List<AnswerUncertainty> answers = List.of(ANSWER,
                    new AnswerUncertainty(new double[] {-0.1, -0.2}, new double[] {0.2, 0.3}, new double[] {2, 1.5}),
                    new AnswerUncertainty(new double[] {-3, -2.5, -1}, new double[] {2, 2.2, 1}, new double[] {0.1, 0.2, 0.4}),
                    new AnswerUncertainty(new double[] {-0.05}, new double[] {0.1}, new double[] {4}));
            LearnedDeferralRule.fit(answers, new boolean[] {true, false, true, false}, 1).save(model);
            List<DeferralRule> rules = new ArrayList<>(DeferralRules.chowRules());
            rules.add(LearnedDeferralRule.load(model));
            for (DeferralRule rule : rules) {
                DeferralRule found = DeferralRules.byName(rule.name(), model);
                assertThat(found.name()).isEqualTo(rule.name());
                assertThat(found.getClass()).isEqualTo(rule.getClass());
                assertThat(found.score(ANSWER)).isEqualTo(rule.score(ANSWER));
            }
            assertThat(rules).extracting(DeferralRule::name).contains(ChowSum.NAME, ChowAverage.NAME, LearnedDeferralRule.NAME)
                    .anyMatch(n -> n.startsWith(ChowQuantile.PREFIX));
        } finally {
            Files.delete(model);
        }
    }

    @Test
    void unknownAndMissingNamesGiveTheirClearErrors() {
        assertThatThrownBy(() -> DeferralRules.byName("prompt-length", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown deferral rule 'prompt-length'; known: chow-sum, chow-average, chow-quantile-<alpha>, learned");
        assertThatThrownBy(() -> DeferralRules.byName(null, null)).hasMessage("no deferral rule named");
        assertThatThrownBy(() -> DeferralRules.byName("chow-quantile-x", null))
                .hasMessage("'chow-quantile-x': the quantile must be a number in [0, 1]");
    }
}
