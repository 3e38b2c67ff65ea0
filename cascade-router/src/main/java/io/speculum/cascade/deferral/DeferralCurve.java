package io.speculum.cascade.deferral;

import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Average quality against deferral rate (Gupta et al.'s deferral curve): deferring the {@code m} highest-scoring of
 * {@code n} examples gives quality {@code (Σ_deferred q_large + Σ_kept q_small) / n} at rate {@code m / n}.
 *
 * @param name      the rule (or "random", "oracle")
 * @param rates     0, 1/n, …, 1
 * @param qualities the average quality at each rate
 */
public record DeferralCurve(String name, double[] rates, double[] qualities) {

    /** The curve of a rule's scores; ties in score are deferred together in index order. */
    public static DeferralCurve of(String name, double[] scores, double[] smallQuality, double[] largeQuality) {
        int n = requireSameLength(scores, smallQuality, largeQuality);
        Integer[] order = IntStream.range(0, n).boxed().sorted(Comparator.comparingDouble((Integer i) -> -scores[i])).toArray(Integer[]::new);
        return fromOrder(name, order, smallQuality, largeQuality);
    }

    /** The best any rule could do: defer first where the large model gains most. */
    public static DeferralCurve oracle(double[] smallQuality, double[] largeQuality) {
        int n = requireSameLength(smallQuality, smallQuality, largeQuality);
        double[] gain = IntStream.range(0, n).mapToDouble(i -> largeQuality[i] - smallQuality[i]).toArray();
        return of("oracle", gain, smallQuality, largeQuality);
    }

    /** Deferring at random: in expectation the straight line from all-small to all-large quality. */
    public static DeferralCurve random(double[] smallQuality, double[] largeQuality) {
        int n = requireSameLength(smallQuality, smallQuality, largeQuality);
        double small = mean(smallQuality);
        double large = mean(largeQuality);
        double[] rates = new double[n + 1];
        double[] qualities = new double[n + 1];
        for (int m = 0; m <= n; m++) {
            rates[m] = (double) m / n;
            qualities[m] = small + rates[m] * (large - small);
        }
        return new DeferralCurve("random", rates, qualities);
    }

    private static DeferralCurve fromOrder(String name, Integer[] order, double[] smallQuality, double[] largeQuality) {
        int n = order.length;
        double[] rates = new double[n + 1];
        double[] qualities = new double[n + 1];
        double total = 0;
        for (double q : smallQuality) {
            total += q;
        }
        qualities[0] = total / n;
        for (int m = 1; m <= n; m++) {
            int i = order[m - 1];
            total += largeQuality[i] - smallQuality[i];
            rates[m] = (double) m / n;
            qualities[m] = total / n;
        }
        return new DeferralCurve(name, rates, qualities);
    }

    /** Area under the curve over rates 0..1 (trapezoids). */
    public double area() {
        double area = 0;
        for (int m = 1; m < rates.length; m++) {
            area += (rates[m] - rates[m - 1]) * (qualities[m] + qualities[m - 1]) / 2;
        }
        return area;
    }

    /** The quality at {@code rate}, interpolated between the points around it. */
    public double qualityAt(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("rate must be in [0, 1], was " + rate);
        }
        for (int m = 1; m < rates.length; m++) {
            if (rate <= rates[m]) {
                double t = (rate - rates[m - 1]) / (rates[m] - rates[m - 1]);
                return qualities[m - 1] + t * (qualities[m] - qualities[m - 1]);
            }
        }
        return qualities[qualities.length - 1];
    }

    /** The smallest difference to {@code other} at the interior points (rates strictly between 0 and 1). */
    public double minimumGainOver(DeferralCurve other) {
        double min = Double.POSITIVE_INFINITY;
        for (int m = 1; m < rates.length - 1; m++) {
            min = Math.min(min, qualities[m] - other.qualityAt(rates[m]));
        }
        return min;
    }

    /** How many interior points (rates strictly between 0 and 1) are not below {@code other}. */
    public int interiorRatesAtLeast(DeferralCurve other) {
        int count = 0;
        for (int m = 1; m < rates.length - 1; m++) {
            if (qualities[m] >= other.qualityAt(rates[m]) - 1e-12) {
                count++;
            }
        }
        return count;
    }

    static double mean(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s / values.length;
    }

    private static int requireSameLength(double[] a, double[] b, double[] c) {
        if (a.length == 0 || a.length != b.length || a.length != c.length) {
            throw new IllegalArgumentException("need the same non-zero number of scores and qualities: " + a.length + ", "
                    + b.length + ", " + c.length);
        }
        return a.length;
    }
}
