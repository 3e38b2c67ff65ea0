package io.speculum.cascade.deferral;

import java.util.List;

/**
 * Least squares with an L2 penalty over standardised features, solved exactly from the normal equations
 * {@code (ZᵀZ + λn I') β = Zᵀy} (the intercept is not penalised). For a continuous quality it predicts the quality
 * gained by deferring, which is what the deferral curve orders by.
 */
public record RidgeRegression(List<String> features, double[] means, double[] scales, double[] weights, double bias)
        implements FeatureModel {

    public static final String KIND = "ridge-regression";

    public RidgeRegression {
        features = FeatureModel.checkedShape(features, means, scales, weights);
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** The predicted target. */
    @Override
    public double score(double[] x) {
        return linear(x);
    }

    /**
     * Fits {@code y ≈ bias + w · standardise(x)}.
     *
     * @param l2 ridge penalty on the weights (not the bias), as a multiple of the example count
     */
    public static RidgeRegression fit(List<String> names, double[][] x, double[] y, double l2) {
        int n = x.length;
        if (n == 0 || n != y.length) {
            throw new IllegalArgumentException("need examples with one target each, got " + n + " and " + y.length);
        }
        Standardised data = Standardised.of(x);
        int d = names.size();
        double[][] normal = new double[d + 1][d + 1];
        double[] rhs = new double[d + 1];
        for (int i = 0; i < n; i++) {
            double[] z = data.design()[i];
            for (int a = 0; a <= d; a++) {
                rhs[a] += z[a] * y[i];
                for (int b = 0; b <= d; b++) {
                    normal[a][b] += z[a] * z[b];
                }
            }
        }
        for (int a = 1; a <= d; a++) {
            normal[a][a] += l2 * n;
        }
        double[] beta = Standardised.solve(normal, rhs);
        double[] weights = new double[d];
        System.arraycopy(beta, 1, weights, 0, d);
        return new RidgeRegression(names, data.means(), data.scales(), weights, beta[0]);
    }
}
