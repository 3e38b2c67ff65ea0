package io.speculum.cascade.deferral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Ridge regression recovers a planted linear law and shrinks its weights as the penalty grows. */
class RidgeRegressionTest {

    private static final List<String> NAMES = List.of("a", "b", "noise");

    /** y = 3 + 2a - b, with a third feature that does not matter. */
    private static double[][] inputs(SplittableRandom random, int n, double[] y) {
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {random.nextDouble(-1, 5), random.nextDouble(10, 20), random.nextGaussian()};
            y[i] = 3 + 2 * x[i][0] - x[i][1] + 1e-3 * random.nextGaussian();
        }
        return x;
    }

    @Test
    void recoversAPlantedLinearLaw() {
        double[] y = new double[300];
        double[][] x = inputs(new SplittableRandom(7), 300, y);
        RidgeRegression model = RidgeRegression.fit(NAMES, x, y, 1e-9);
        // weights are per standardised feature: divided by the scale they are the law's coefficients
        assertThat(model.weights()[0] / model.scales()[0]).isCloseTo(2, within(1e-3));
        assertThat(model.weights()[1] / model.scales()[1]).isCloseTo(-1, within(1e-3));
        assertThat(model.weights()[2] / model.scales()[2]).isCloseTo(0, within(1e-3));
        assertThat(model.score(new double[] {1, 12, 0})).isCloseTo(3 + 2 - 12, within(1e-2));
        assertThat(model.kind()).isEqualTo("ridge-regression");
    }

    @Test
    void aLargerPenaltyShrinksTheWeights() {
        double[] y = new double[200];
        double[][] x = inputs(new SplittableRandom(8), 200, y);
        double small = Math.abs(RidgeRegression.fit(NAMES, x, y, 1e-3).weights()[0]);
        double large = Math.abs(RidgeRegression.fit(NAMES, x, y, 10).weights()[0]);
        assertThat(large).isLessThan(small / 5);
        assertThat(RidgeRegression.fit(NAMES, x, y, 10).bias()).as("the intercept is not penalised: the mean of y")
                .isCloseTo(java.util.Arrays.stream(y).average().orElseThrow(), within(1e-9));
    }

    @Test
    void mismatchedInputIsRefused() {
        assertThatThrownBy(() -> RidgeRegression.fit(NAMES, new double[0][], new double[0], 1)).hasMessageContaining("need examples");
        assertThatThrownBy(() -> new RidgeRegression(NAMES, new double[2], new double[3], new double[3], 0))
                .hasMessageContaining("one mean, scale and weight per feature");
    }
}
