package io.speculum.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import org.apache.commons.math3.distribution.UniformRealDistribution;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

class SeededUniformTest {

    private static final int N = 20_000;

    private static double[] positions(long seed, int stream) {
        double[] u = new double[N];
        for (int i = 0; i < N; i++) {
            u[i] = SeededUniform.at(seed, i, stream);
        }
        return u;
    }

    @Test
    void valuesLieInTheUnitIntervalOnA53BitGrid() {
        for (long seed : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
            for (double u : positions(seed, SeededUniform.STREAM_SAMPLE)) {
                assertThat(u).isGreaterThanOrEqualTo(0).isLessThan(1);
                assertThat(u * 0x1.0p53).isEqualTo(Math.rint(u * 0x1.0p53));
            }
        }
    }

    @Test
    void isAPureFunctionOfItsInputs() {
        assertThat(SeededUniform.at(42, 17, 1)).isEqualTo(SeededUniform.at(42, 17, 1));
        assertThat(positions(7, 0)).containsExactly(positions(7, 0));
        assertThat(SeededUniform.at(42, Long.MAX_VALUE, Integer.MAX_VALUE)).isBetween(0.0, 1.0);
    }

    @Test
    void consecutivePositionsAreUniform() {
        double[] u = positions(123, SeededUniform.STREAM_SAMPLE);
        double p = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new UniformRealDistribution(0, 1), u);
        assertThat(p).isGreaterThan(0.001);
        long[] bins = new long[50];
        for (double x : u) {
            bins[(int) (x * bins.length)]++;
        }
        double[] expected = new double[bins.length];
        java.util.Arrays.fill(expected, 1.0);
        assertThat(new ChiSquareTest().chiSquareTest(expected, bins, 0.001)).isFalse();
        // the binning test has power: squaring skews the values and is rejected
        long[] skewed = new long[bins.length];
        for (double x : u) {
            skewed[(int) (x * x * bins.length)]++;
        }
        assertThat(new ChiSquareTest().chiSquareTest(expected, skewed, 0.001)).isTrue();
    }

    @Test
    void consecutiveSeedsAreUniformToo() {
        double[] u = new double[N];
        for (int seed = 0; seed < N; seed++) {
            u[seed] = SeededUniform.at(seed, 0, SeededUniform.STREAM_ACCEPT);
        }
        assertThat(new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new UniformRealDistribution(0, 1), u)).isGreaterThan(0.001);
    }

    @Test
    void streamsSeedsAndNeighboursAreUncorrelated() {
        double[] sample = positions(5, SeededUniform.STREAM_SAMPLE);
        double[] accept = positions(5, SeededUniform.STREAM_ACCEPT);
        double[] residual = positions(5, SeededUniform.STREAM_RESIDUAL);
        double[] otherSeed = positions(6, SeededUniform.STREAM_SAMPLE);
        PearsonsCorrelation pearson = new PearsonsCorrelation();
        // |r| < 0.04 is about 5.7 standard errors at n = 20 000
        assertThat(pearson.correlation(sample, accept)).isCloseTo(0, within(0.04));
        assertThat(pearson.correlation(sample, residual)).isCloseTo(0, within(0.04));
        assertThat(pearson.correlation(accept, residual)).isCloseTo(0, within(0.04));
        assertThat(pearson.correlation(sample, otherSeed)).isCloseTo(0, within(0.04));
        double[] next = java.util.Arrays.copyOfRange(sample, 1, N);
        double[] previous = java.util.Arrays.copyOf(sample, N - 1);
        assertThat(pearson.correlation(previous, next)).isCloseTo(0, within(0.04));
        int equal = 0;
        for (int i = 0; i < N; i++) {
            if (sample[i] == accept[i] || sample[i] == otherSeed[i]) {
                equal++;
            }
        }
        assertThat(equal).isZero();
    }

    @Test
    void streamConstants() {
        assertThat(new int[] {SeededUniform.STREAM_SAMPLE, SeededUniform.STREAM_ACCEPT, SeededUniform.STREAM_RESIDUAL})
                .containsExactly(0, 1, 2);
    }

    @Test
    void rejectsNegativePositionsAndStreams() {
        assertThatIllegalArgumentException().isThrownBy(() -> SeededUniform.at(1, -1, 0)).withMessageContaining("position");
        assertThatIllegalArgumentException().isThrownBy(() -> SeededUniform.at(1, 0, -1)).withMessageContaining("stream");
    }
}
