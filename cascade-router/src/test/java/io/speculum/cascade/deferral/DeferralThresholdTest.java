package io.speculum.cascade.deferral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeferralThresholdTest {

    private static final double[] CALIBRATION = new SplittableRandom(7).doubles(137, 0, 5).toArray();

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.05, 0.1, 0.3, 0.5, 0.77, 1})
    void aTargetRateIsHitOnTheCalibrationSetWithinOneExample(double rate) {
        double threshold = DeferralThreshold.forDeferralRate(CALIBRATION, rate);
        double deferred = DeferralThreshold.deferralRate(CALIBRATION, threshold) * CALIBRATION.length;
        assertThat(deferred).isCloseTo(rate * CALIBRATION.length, within(1.0));
    }

    @Test
    void aCostBudgetNeverDefersMoreThanItPaysFor() {
        // small 1 + 30% of large 10 = 4 per request
        double threshold = DeferralThreshold.forCostBudget(CALIBRATION, 1, 10, 4);
        double rate = DeferralThreshold.deferralRate(CALIBRATION, threshold);
        assertThat(1 + rate * 10).isLessThanOrEqualTo(4);
        assertThat(rate * CALIBRATION.length).isCloseTo(0.3 * CALIBRATION.length, within(1.0));
        assertThat(DeferralThreshold.deferralRate(CALIBRATION, DeferralThreshold.forCostBudget(CALIBRATION, 1, 10, 0.5))).isZero();
        assertThat(DeferralThreshold.deferralRate(CALIBRATION, DeferralThreshold.forCostBudget(CALIBRATION, 1, 10, 100))).isEqualTo(1);
    }

    @Test
    void infiniteScoresAreDeferredFirst() {
        double[] scores = {Double.POSITIVE_INFINITY, 3, 2, 1};
        assertThat(DeferralThreshold.deferralRate(scores, DeferralThreshold.forDeferralRate(scores, 0.25))).isEqualTo(0.25);
        assertThat(DeferralThreshold.deferralRate(scores, DeferralThreshold.forDeferralRate(scores, 0)))
                .as("an empty answer (infinite score) is deferred whatever the rate").isEqualTo(0.25);
    }
}
