package io.speculum.detector.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ThresholdsAndIntervalsTest {

    @Test
    void wilsonIntervalMatchesTheClosedFormAndStaysInsideZeroToOne() {
        ProportionInterval none = ProportionInterval.wilson(0, 300);
        assertThat(none.low()).isCloseTo(0, within(1e-12));
        assertThat(none.high()).isCloseTo(0.01264, within(1e-4)); // z² / (n + z²)
        ProportionInterval some = ProportionInterval.wilson(3, 300);
        assertThat(some.rate()).isEqualTo(0.01);
        assertThat(some.low()).isCloseTo(0.00341, within(1e-4));
        assertThat(some.high()).isCloseTo(0.02897, within(1e-4));
        assertThat(ProportionInterval.wilson(10, 10).high()).isCloseTo(1.0, within(1e-12));
        assertThatThrownBy(() -> ProportionInterval.wilson(4, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lengthThresholdsInterpolateInLogTokensAndClampAtTheEnds() {
        MethodCalibration c = new MethodCalibration(new PlattScaling(1, 0), 5, 0.01, 10, 10,
                List.of(new LengthThreshold(256, 1.0), new LengthThreshold(64, 3.0), new LengthThreshold(128, 2.0)));
        assertThat(c.lengthThresholds()).extracting(LengthThreshold::tokens).containsExactly(64, 128, 256);
        assertThat(c.thresholdFor(10)).isEqualTo(3.0);
        assertThat(c.thresholdFor(64)).isEqualTo(3.0);
        assertThat(c.thresholdFor(90)).isCloseTo(3.0 - Math.log(90 / 64.0) / Math.log(2), within(1e-12));
        assertThat(c.thresholdFor(256)).isEqualTo(1.0);
        assertThat(c.thresholdFor(4000)).isEqualTo(1.0);
        assertThat(c.isMachine(2.5, 64)).isFalse();
        assertThat(c.isMachine(2.5, 128)).isTrue();
        MethodCalibration pooled = new MethodCalibration(new PlattScaling(1, 0), 5, 0.01, 10, 10);
        assertThat(pooled.thresholdFor(64)).isEqualTo(5);
    }

    @Test
    void fittedLengthThresholdsLetTheStatedShareOfEachLengthsHumanTextsThrough() {
        Map<Integer, double[]> byTokens = new TreeMap<>();
        double[] shortTexts = new double[200];
        double[] longTexts = new double[200];
        for (int i = 0; i < 200; i++) {
            shortTexts[i] = i / 10.0;      // wide spread
            longTexts[i] = i / 100.0;      // narrow spread
        }
        byTokens.put(64, shortTexts);
        byTokens.put(256, longTexts);
        double[] all = new double[400];
        System.arraycopy(shortTexts, 0, all, 0, 200);
        System.arraycopy(longTexts, 0, all, 200, 200);
        MethodCalibration c = MethodCalibration.fit(new double[] {30, 31}, all, 0.01, byTokens);
        long shortThrough = java.util.Arrays.stream(shortTexts).filter(s -> c.isMachine(s, 64)).count();
        long longThrough = java.util.Arrays.stream(longTexts).filter(s -> c.isMachine(s, 256)).count();
        assertThat(shortThrough).isEqualTo(2);
        assertThat(longThrough).isEqualTo(2);
        // one pooled threshold would let 4 short texts and no long one through
        assertThat(java.util.Arrays.stream(longTexts).filter(c::isMachine).count()).isZero();
    }
}
