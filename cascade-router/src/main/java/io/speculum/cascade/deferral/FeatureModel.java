package io.speculum.cascade.deferral;

import java.util.List;

/**
 * A fitted model over standardised features: {@code z = bias + Σ weights[j] (x[j] - means[j]) / scales[j]}, turned
 * into a score by the kind of model. What a learned deferral rule evaluates and saves.
 */
public sealed interface FeatureModel permits LogisticRegression, RidgeRegression {

    /** The kind as saved in a rule's file. */
    String kind();

    List<String> features();

    double[] means();

    double[] scales();

    double[] weights();

    double bias();

    /** The model's output for one feature vector: higher means "defer". */
    double score(double[] x);

    /** The feature names, copied, after checking there is one mean, scale and weight per feature. */
    static List<String> checkedShape(List<String> features, double[] means, double[] scales, double[] weights) {
        if (means.length != features.size() || scales.length != features.size() || weights.length != features.size()) {
            throw new IllegalArgumentException("one mean, scale and weight per feature (" + features.size() + ")");
        }
        return List.copyOf(features);
    }

    /** The linear predictor {@code z}. */
    default double linear(double[] x) {
        double[] weights = weights();
        if (x.length != weights.length) {
            throw new IllegalArgumentException("expected " + weights.length + " features, got " + x.length);
        }
        double[] means = means();
        double[] scales = scales();
        double z = bias();
        for (int j = 0; j < x.length; j++) {
            z += weights[j] * (x[j] - means[j]) / scales[j];
        }
        return z;
    }
}
