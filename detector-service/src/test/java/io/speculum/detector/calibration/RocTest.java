package io.speculum.detector.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RocTest {

    @Test
    void aurocIsThePairwiseWinRateWithTiesCountingHalf() {
        Random random = new Random(4);
        double[] pos = new double[37];
        double[] neg = new double[23];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = Math.round(random.nextGaussian() * 4) + 1;
        }
        for (int i = 0; i < neg.length; i++) {
            neg[i] = Math.round(random.nextGaussian() * 4);
        }
        double wins = 0;
        for (double p : pos) {
            for (double n : neg) {
                wins += p > n ? 1 : p == n ? 0.5 : 0;
            }
        }
        assertThat(new Roc(pos, neg).auroc()).isCloseTo(wins / (pos.length * neg.length), within(1e-12));
        assertThat(new Roc(new double[] {2, 3}, new double[] {0, 1}).auroc()).isEqualTo(1.0);
        assertThat(new Roc(new double[] {0}, new double[] {0}).auroc()).isEqualTo(0.5);
    }

    @Test
    void thresholdLetsAtMostTheRequestedShareOfNegativesThrough() {
        double[] neg = new double[200];
        for (int i = 0; i < neg.length; i++) {
            neg[i] = i;
        }
        double t = Roc.thresholdAt(neg, 0.01);
        assertThat(t).isEqualTo(197.0); // 198 and 199 are above it: 2 of 200 = 1%
        assertThat(Roc.thresholdAt(neg, 0)).isEqualTo(199.0);
        double[] pos = {196, 198, 250, 300};
        assertThat(new Roc(pos, neg).truePositiveRateAt(0.01)).isEqualTo(0.75);
    }

    @Test
    void curveRunsFromOriginToOneOne() {
        List<double[]> curve = new Roc(new double[] {1, 2, 3}, new double[] {0, 2}).curve();
        assertThat(curve.getFirst()).containsExactly(0, 0);
        assertThat(curve.getLast()).containsExactly(1, 1);
        for (int i = 1; i < curve.size(); i++) {
            assertThat(curve.get(i)[0]).isGreaterThanOrEqualTo(curve.get(i - 1)[0]);
            assertThat(curve.get(i)[1]).isGreaterThanOrEqualTo(curve.get(i - 1)[1]);
        }
    }

    @Test
    void plattScalingIsMonotoneAndCalibratedOnOverlappingClasses() {
        Random random = new Random(8);
        double[] pos = new double[2000];
        double[] neg = new double[2000];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = 1 + random.nextGaussian();
            neg[i] = -1 + random.nextGaussian();
        }
        PlattScaling platt = PlattScaling.fit(pos, neg);
        // two unit Gaussians at ±1 with equal priors: the true posterior is sigmoid(2s)
        assertThat(platt.a()).isCloseTo(2.0, within(0.2));
        assertThat(platt.b()).isCloseTo(0.0, within(0.15));
        assertThat(platt.probability(3)).isGreaterThan(platt.probability(0));
        MethodCalibration c = MethodCalibration.fit(pos, neg, 0.05);
        long falsePositives = java.util.Arrays.stream(neg).filter(c::isMachine).count();
        assertThat(falsePositives).isLessThanOrEqualTo(100);
    }
}
