package io.speculum.cascade.deferral;

import java.util.List;

/**
 * L2-regularised logistic regression over standardised features, fitted by Newton's method (iteratively reweighted
 * least squares): a handful of features and at most thousands of examples, so each step solves a small dense system
 * exactly and the fit is deterministic. The ridge keeps the weights finite on separable data.
 *
 * @param features names of the features, in order
 * @param means    per-feature mean of the training data (subtracted before weighting)
 * @param scales   per-feature standard deviation of the training data (1 where it was 0)
 * @param weights  one weight per standardised feature
 * @param bias     the intercept
 */
public record LogisticRegression(List<String> features, double[] means, double[] scales, double[] weights, double bias)
        implements FeatureModel {

    public static final String KIND = "logistic-regression";

    private static final int MAX_STEPS = 100;

    public LogisticRegression {
        features = FeatureModel.checkedShape(features, means, scales, weights);
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** Probability of the positive class. */
    @Override
    public double score(double[] x) {
        return probability(x);
    }

    public double probability(double[] x) {
        return sigmoid(logit(x));
    }

    public double logit(double[] x) {
        return linear(x);
    }

    /**
     * Fits {@code P(positive | x)}.
     *
     * @param l2 ridge penalty on the weights (not the bias), as a multiple of the example count
     */
    public static LogisticRegression fit(List<String> names, double[][] x, boolean[] positive, double l2) {
        int n = x.length;
        if (n == 0 || n != positive.length) {
            throw new IllegalArgumentException("need examples with one label each, got " + n + " and " + positive.length);
        }
        int d = names.size();
        Standardised data = Standardised.of(x);
        double[][] z = data.design();
        double[] beta = new double[d + 1];
        double penalty = l2 * n;
        for (int step = 0; step < MAX_STEPS; step++) {
            double[] gradient = new double[d + 1];
            double[][] hessian = new double[d + 1][d + 1];
            for (int i = 0; i < n; i++) {
                double p = sigmoid(dot(beta, z[i]));
                double residual = (positive[i] ? 1 : 0) - p;
                double w = Math.max(p * (1 - p), 1e-12);
                for (int a = 0; a <= d; a++) {
                    gradient[a] += residual * z[i][a];
                    for (int b = 0; b <= a; b++) {
                        hessian[a][b] += w * z[i][a] * z[i][b];
                    }
                }
            }
            for (int a = 0; a <= d; a++) {
                for (int b = a + 1; b <= d; b++) {
                    hessian[a][b] = hessian[b][a];
                }
                if (a > 0) {
                    gradient[a] -= penalty * beta[a];
                    hessian[a][a] += penalty;
                }
            }
            double[] delta = Standardised.solve(hessian, gradient);
            double largest = 0;
            for (int a = 0; a <= d; a++) {
                beta[a] += delta[a];
                largest = Math.max(largest, Math.abs(delta[a]));
            }
            if (largest < 1e-9) {
                break;
            }
        }
        double[] weights = new double[d];
        System.arraycopy(beta, 1, weights, 0, d);
        return new LogisticRegression(names, data.means(), data.scales(), weights, beta[0]);
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
