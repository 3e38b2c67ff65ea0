package io.speculum.detector.scoring;

import java.util.Arrays;
import java.util.List;

/**
 * Fits a {@link LearnedDetector} to labelled texts: logistic loss on its logit, L2 penalty, full-batch Adam from a
 * fixed start, so the same texts always give the same weights. Small and plain on purpose: seven features, two weight
 * vectors and a bias.
 */
public final class LearnedDetectorTrainer {

    private final int iterations;
    private final double learningRate;
    private final double l2;

    public LearnedDetectorTrainer(int iterations, double learningRate, double l2) {
        this.iterations = iterations;
        this.learningRate = learningRate;
        this.l2 = l2;
    }

    public static LearnedDetectorTrainer defaults() {
        return new LearnedDetectorTrainer(300, 0.05, 1e-3);
    }

    /** A labelled text: {@code machine} true for machine-generated. */
    public record Example(TextEvidence evidence, boolean machine) {
    }

    public LearnedWeights train(String vocabularyFingerprint, String trainedOn, List<Example> examples) {
        if (examples.stream().noneMatch(Example::machine) || examples.stream().allMatch(Example::machine)) {
            throw new IllegalArgumentException("training needs machine and human texts");
        }
        int d = TokenFeatures.NAMES.size();
        double[] means = new double[d];
        double[] squares = new double[d];
        long count = 0;
        for (Example e : examples) {
            for (int i = 0; i < e.evidence().size(); i++) {
                double[] f = TokenFeatures.of(e.evidence(), i);
                for (int j = 0; j < d; j++) {
                    means[j] += f[j];
                    squares[j] += f[j] * f[j];
                }
                count++;
            }
        }
        double[] scales = new double[d];
        for (int j = 0; j < d; j++) {
            means[j] /= count;
            double variance = squares[j] / count - means[j] * means[j];
            scales[j] = variance > 1e-12 ? Math.sqrt(variance) : 1;
        }
        LearnedWeights start = new LearnedWeights(vocabularyFingerprint, trainedOn, TokenFeatures.NAMES, means, scales,
                new double[d], new double[d], 0);
        double[][][] features = new double[examples.size()][][];
        for (int e = 0; e < features.length; e++) {
            features[e] = LearnedDetector.standardised(examples.get(e).evidence(), start);
        }
        // parameters: attention[0..d), value[d..2d), bias
        double[] theta = new double[2 * d + 1];
        double[] m = new double[theta.length];
        double[] v = new double[theta.length];
        for (int step = 1; step <= iterations; step++) {
            double[] gradient = gradient(theta, features, examples, d);
            for (int k = 0; k < theta.length; k++) {
                m[k] = 0.9 * m[k] + 0.1 * gradient[k];
                v[k] = 0.999 * v[k] + 0.001 * gradient[k] * gradient[k];
                double mHat = m[k] / (1 - Math.pow(0.9, step));
                double vHat = v[k] / (1 - Math.pow(0.999, step));
                theta[k] -= learningRate * mHat / (Math.sqrt(vHat) + 1e-8);
            }
        }
        return new LearnedWeights(vocabularyFingerprint, trainedOn, TokenFeatures.NAMES, means, scales,
                Arrays.copyOfRange(theta, 0, d), Arrays.copyOfRange(theta, d, 2 * d), theta[2 * d]);
    }

    /** Gradient of the mean logistic loss plus {@code l2/2 · |weights|²}. */
    private double[] gradient(double[] theta, double[][][] features, List<Example> examples, int d) {
        double[] g = new double[theta.length];
        for (int e = 0; e < features.length; e++) {
            double[][] f = features[e];
            double[] u = new double[f.length];
            double max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < f.length; t++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += theta[j] * f[t][j];
                }
                u[t] = s;
                max = Math.max(max, s);
            }
            double z = 0;
            for (int t = 0; t < f.length; t++) {
                u[t] = Math.exp(u[t] - max);
                z += u[t];
            }
            double[] values = new double[f.length];
            double pooled = 0;
            for (int t = 0; t < f.length; t++) {
                u[t] /= z;
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += theta[d + j] * f[t][j];
                }
                values[t] = s;
                pooled += u[t] * s;
            }
            double logit = pooled + theta[2 * d];
            double residual = sigmoid(logit) - (examples.get(e).machine() ? 1 : 0); // dLoss/dLogit
            for (int t = 0; t < f.length; t++) {
                double attentionGrad = u[t] * (values[t] - pooled);
                for (int j = 0; j < d; j++) {
                    g[j] += residual * attentionGrad * f[t][j];
                    g[d + j] += residual * u[t] * f[t][j];
                }
            }
            g[2 * d] += residual;
        }
        for (int k = 0; k < g.length; k++) {
            g[k] /= features.length;
            if (k < 2 * d) {
                g[k] += l2 * theta[k];
            }
        }
        return g;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
