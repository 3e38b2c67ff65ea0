package io.speculum.cascade.deferral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Deferral curves, their areas and the random and oracle references, against values computed by hand. */
class DeferralCurveTest {

    private static final double[] SMALL = {1, 0, 0.5, 1};
    private static final double[] LARGE = {1, 1, 1, 1};

    @Test
    void aRuleDefersItsHighestScoresFirst() {
        // order by score: 1 (q 0 -> 1), 2 (0.5 -> 1), 0, 3
        DeferralCurve curve = DeferralCurve.of("rule", new double[] {0.1, 0.9, 0.5, 0.2}, SMALL, LARGE);
        assertThat(curve.qualities()).containsExactly(new double[] {0.625, 0.875, 1, 1, 1}, within(1e-12));
        // trapezoids of width 0.25: (0.625+0.875)/2 + (0.875+1)/2 + 1 + 1, times 0.25
        assertThat(curve.area()).isCloseTo(0.25 * (0.75 + 0.9375 + 2), within(1e-12));
        assertThat(curve.qualityAt(0.125)).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void oracleIsTheBestOrderAndRandomTheStraightLine() {
        DeferralCurve oracle = DeferralCurve.oracle(SMALL, LARGE);
        DeferralCurve random = DeferralCurve.random(SMALL, LARGE);
        DeferralCurve worst = DeferralCurve.of("worst", new double[] {4, 1, 2, 3}, SMALL, LARGE);
        assertThat(oracle.qualities()).containsExactly(new double[] {0.625, 0.875, 1, 1, 1}, within(1e-12));
        assertThat(random.area()).isCloseTo((0.625 + 1) / 2, within(1e-12));
        assertThat(worst.area()).isLessThan(random.area());
        assertThat(oracle.minimumGainOver(random)).isPositive();
        assertThat(worst.minimumGainOver(random)).isNegative();
        assertThat(oracle.interiorRatesAtLeast(random)).isEqualTo(3);
        // worst: 0.625, 0.625, 0.75 at rates .25, .5, .75 against random's 0.71875, 0.8125, 0.90625
        assertThat(worst.interiorRatesAtLeast(random)).isZero();
    }
}
