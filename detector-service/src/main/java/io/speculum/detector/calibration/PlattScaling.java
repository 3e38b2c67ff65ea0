package io.speculum.detector.calibration;

/**
 * Platt scaling: {@code P(machine | s) = 1 / (1 + exp(−(a·s + b)))} over an oriented score {@code s}, fitted by
 * Newton's method on the log-loss with Platt's smoothed targets {@code (N₊+1)/(N₊+2)} and {@code 1/(N₋+2)} (so
 * separable data does not drive {@code a} to infinity).
 */
public record PlattScaling(double a, double b) {

    public double probability(double orientedScore) {
        double z = a * orientedScore + b;
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    public static PlattScaling fit(double[] positives, double[] negatives) {
        int n = positives.length + negatives.length;
        double[] x = new double[n];
        double[] y = new double[n];
        double hi = (positives.length + 1.0) / (positives.length + 2.0);
        double lo = 1.0 / (negatives.length + 2.0);
        for (int i = 0; i < positives.length; i++) {
            x[i] = positives[i];
            y[i] = hi;
        }
        for (int i = 0; i < negatives.length; i++) {
            x[positives.length + i] = negatives[i];
            y[positives.length + i] = lo;
        }
        // centre and scale the scores for a well-conditioned Newton step, then map back
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= n;
        double spread = 0;
        for (double v : x) {
            spread += (v - mean) * (v - mean);
        }
        spread = Math.sqrt(spread / n);
        if (!(spread > 0)) {
            spread = 1;
        }
        double a = 0;
        double b = 0;
        for (int iteration = 0; iteration < 100; iteration++) {
            double ga = 0;
            double gb = 0;
            double haa = 1e-9;
            double hab = 0;
            double hbb = 1e-9;
            for (int i = 0; i < n; i++) {
                double s = (x[i] - mean) / spread;
                double p = new PlattScaling(a, b).probability(s);
                double r = p - y[i];
                double w = p * (1 - p);
                ga += r * s;
                gb += r;
                haa += w * s * s;
                hab += w * s;
                hbb += w;
            }
            double det = haa * hbb - hab * hab;
            double da = (hbb * ga - hab * gb) / det;
            double db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if (Math.abs(da) + Math.abs(db) < 1e-10) {
                break;
            }
        }
        return new PlattScaling(a / spread, b - a * mean / spread);
    }
}
