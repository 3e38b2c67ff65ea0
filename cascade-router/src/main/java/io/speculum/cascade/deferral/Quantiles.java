package io.speculum.cascade.deferral;

import java.util.Arrays;

/**
 * Empirical quantiles with linear interpolation between order statistics (Hyndman and Fan's type 7, numpy's default):
 * the α-quantile of sorted {@code x[0..n-1]} is {@code x[⌊h⌋] + (h - ⌊h⌋)(x[⌊h⌋+1] - x[⌊h⌋])}, {@code h = α(n-1)};
 * α = 0 is the minimum, α = 1 the maximum.
 */
public final class Quantiles {

    private Quantiles() {
    }

    public static double of(double[] values, double alpha) {
        return ofSorted(sorted(values), alpha);
    }

    public static double[] sorted(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    public static double ofSorted(double[] sorted, double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], was " + alpha);
        }
        double h = alpha * (sorted.length - 1);
        int low = (int) Math.floor(h);
        if (low >= sorted.length - 1) {
            return sorted[sorted.length - 1];
        }
        double fraction = h - low;
        return fraction == 0 ? sorted[low] : sorted[low] + fraction * (sorted[low + 1] - sorted[low]);
    }
}
