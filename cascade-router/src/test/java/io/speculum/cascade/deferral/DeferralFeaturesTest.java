package io.speculum.cascade.deferral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The learned rule's features against values computed by hand. */
class DeferralFeaturesTest {

    // surprisals 0.1, 2.0, 0.5, 1.0
    private static final AnswerUncertainty ANSWER = new AnswerUncertainty(new double[] {-0.1, -2.0, -0.5, -1.0},
            new double[] {0.3, 2.1, 1.0, 1.4}, new double[] {3, 0.1, 1, 0.5});

    private static double feature(double[] features, String name) {
        int index = DeferralFeatures.names().indexOf(name);
        assertThat(index).as(name).isNotNegative();
        return features[index];
    }

    @Test
    void quantilesAndSummariesOfAnAnswer() {
        double[] f = DeferralFeatures.of(ANSWER);
        assertThat(f).hasSize(DeferralFeatures.names().size());
        assertThat(feature(f, "logprob-q0.0")).isEqualTo(-2.0);
        assertThat(feature(f, "logprob-q1.0")).isEqualTo(-0.1);
        assertThat(feature(f, "logprob-mean")).isCloseTo(-0.9, within(1e-12));
        assertThat(feature(f, "log-length")).isCloseTo(Math.log(4), within(1e-12));
        assertThat(feature(f, "entropy-q0.5")).as("between 1.0 and 1.4").isCloseTo(1.2, within(1e-12));
        assertThat(feature(f, "margin-q0.0")).isEqualTo(0.1);
        assertThat(feature(f, "entropy-mean")).isCloseTo(1.2, within(1e-12));
        assertThat(feature(f, "margin-mean")).isCloseTo(1.15, within(1e-12));
        double[] p = {Math.exp(-0.1), Math.exp(-2.0), Math.exp(-0.5), Math.exp(-1.0)};
        assertThat(feature(f, "prob-mean")).isCloseTo((p[0] + p[1] + p[2] + p[3]) / 4, within(1e-12));
        assertThat(feature(f, "log-complement-prob-mean")).isCloseTo((Math.log(1 - p[0]) + Math.log(1 - p[1])
                + Math.log(1 - p[2]) + Math.log(1 - p[3])) / 4, within(1e-12));
        assertThat(feature(f, "entropy-minus-surprisal-mean")).as("(0.2 + 0.1 + 0.5 + 0.4) / 4").isCloseTo(0.3, within(1e-12));
        assertThat(feature(f, "share-surprisal-above-1")).as("only 2.0 is above 1").isEqualTo(0.25);
        assertThat(feature(f, "share-surprisal-above-2")).as("2.0 is not above 2").isZero();
        assertThat(feature(f, "share-entropy-above-1.5")).as("only 2.1").isEqualTo(0.25);
    }

    @Test
    void certainTokensAndInfiniteMarginsGiveFiniteFeatures() {
        AnswerUncertainty sure = new AnswerUncertainty(new double[] {0, Double.NEGATIVE_INFINITY}, new double[] {0, 3},
                new double[] {Double.POSITIVE_INFINITY, 0});
        double[] f = DeferralFeatures.of(sure);
        for (int j = 0; j < f.length; j++) {
            assertThat(Double.isFinite(f[j])).as(DeferralFeatures.names().get(j) + " = " + f[j]).isTrue();
        }
        assertThat(feature(f, "margin-q0.5")).as("the infinite margin is clipped at 50").isEqualTo(25);
        assertThat(feature(f, "logprob-q0.0")).as("an impossible token is clipped at -50").isEqualTo(-50);
    }

    @Test
    void namesAreUniqueAndAnEmptyAnswerHasNoFeatures() {
        List<String> names = DeferralFeatures.names();
        assertThat(names).doesNotHaveDuplicates();
        assertThatThrownBy(() -> DeferralFeatures.of(new AnswerUncertainty(new double[0], new double[0], new double[0])))
                .hasMessageContaining("empty");
    }
}
