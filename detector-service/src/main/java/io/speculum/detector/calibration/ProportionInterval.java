package io.speculum.detector.calibration;

/** A proportion {@code k / n} with its 95% Wilson score interval (sound for rates near 0, unlike the normal one). */
public record ProportionInterval(int k, int n, double low, double high) {

    private static final double Z = 1.959964;

    public static ProportionInterval wilson(int k, int n) {
        if (n <= 0 || k < 0 || k > n) {
            throw new IllegalArgumentException("need 0 <= k <= n and n > 0, was " + k + "/" + n);
        }
        double p = k / (double) n;
        double z2 = Z * Z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = Z / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new ProportionInterval(k, n, Math.max(0, centre - half), Math.min(1, centre + half));
    }

    public double rate() {
        return k / (double) n;
    }
}
