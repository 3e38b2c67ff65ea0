package io.speculum.detector.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fits a {@link CombinedDetector}: the human moments per length, then a class-balanced, L2-regularised logistic
 * regression over the z-scores (and, when asked, their squares) by Newton's method. The design is small (two
 * features per method), so each step solves its normal equations directly.
 */
public final class CombinedDetectorTrainer {

    private static final int ITERATIONS = 50;

    private CombinedDetectorTrainer() {
    }

    /** A training text: its evidence, whether a machine wrote it, and the nominal length it was cut to. */
    public record Example(TextEvidence evidence, boolean machine, int length) {
    }

    public static CombinedWeights fit(String vocabularyFingerprint, String observers, String trainedOn, List<TextScore> methods,
                                      List<Example> examples, boolean quadratic, double l2) {
        int n = methods.size();
        List<String> names = methods.stream().map(TextScore::name).toList();
        CombinedWeights neutral = new CombinedWeights(vocabularyFingerprint, observers, trainedOn, names,
                humanMoments(methods, examples), new double[n], new double[n], 0);
        CombinedDetector standardiser = new CombinedDetector(neutral, methods);
        int d = quadratic ? 2 * n : n;
        double[][] x = new double[examples.size()][d + 1];
        double[] y = new double[examples.size()];
        double machines = 0;
        for (int i = 0; i < examples.size(); i++) {
            double[] z = standardiser.zScores(examples.get(i).evidence());
            for (int k = 0; k < n; k++) {
                x[i][k] = z[k];
                if (quadratic) {
                    x[i][n + k] = z[k] * z[k];
                }
            }
            x[i][d] = 1;
            y[i] = examples.get(i).machine() ? 1 : 0;
            machines += y[i];
        }
        if (machines == 0 || machines == examples.size()) {
            throw new IllegalArgumentException("the combination needs machine and human training texts");
        }
        double[] w = logistic(x, y, machines / examples.size(), l2);
        double[] linear = Arrays.copyOf(w, n);
        double[] squared = quadratic ? Arrays.copyOfRange(w, n, 2 * n) : new double[n];
        return new CombinedWeights(vocabularyFingerprint, observers, trainedOn, names, neutral.moments(), linear, squared, w[d]);
    }

    private static List<CombinedWeights.Moments> humanMoments(List<TextScore> methods, List<Example> examples) {
        Map<Integer, List<Example>> byLength = new TreeMap<>();
        for (Example e : examples) {
            if (!e.machine()) {
                byLength.computeIfAbsent(e.length(), k -> new ArrayList<>()).add(e);
            }
        }
        if (byLength.isEmpty()) {
            throw new IllegalArgumentException("the combination needs human training texts");
        }
        List<CombinedWeights.Moments> out = new ArrayList<>();
        for (List<Example> group : byLength.values()) {
            int[] tokens = group.stream().mapToInt(e -> e.evidence().size()).sorted().toArray();
            int median = tokens[tokens.length / 2];
            double[] means = new double[methods.size()];
            double[] deviations = new double[methods.size()];
            for (int k = 0; k < methods.size(); k++) {
                TextScore m = methods.get(k);
                double[] v = group.stream().mapToDouble(e -> m.oriented(e.evidence())
                        / (m instanceof FastDetectGpt ? Math.sqrt(e.evidence().size()) : 1)).toArray();
                double mean = Arrays.stream(v).average().orElseThrow();
                double var = Arrays.stream(v).map(a -> (a - mean) * (a - mean)).sum() / Math.max(1, v.length - 1);
                means[k] = mean;
                deviations[k] = Math.max(Math.sqrt(var), 1e-9);
            }
            out.add(new CombinedWeights.Moments(median, means, deviations));
        }
        return out;
    }

    /** Newton's method on the class-balanced log-loss plus {@code l2/2 |w|²} (bias not penalised); last column is the bias. */
    static double[] logistic(double[][] x, double[] y, double machineShare, double l2) {
        int d = x[0].length;
        double[] w = new double[d];
        double machineWeight = 0.5 / machineShare;
        double humanWeight = 0.5 / (1 - machineShare);
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            double[] gradient = new double[d];
            double[][] hessian = new double[d][d];
            for (int i = 0; i < x.length; i++) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += w[j] * x[i][j];
                }
                double p = 1 / (1 + Math.exp(-dot));
                double weight = y[i] == 1 ? machineWeight : humanWeight;
                double g = weight * (p - y[i]);
                double h = weight * p * (1 - p);
                for (int j = 0; j < d; j++) {
                    gradient[j] += g * x[i][j];
                    for (int k = 0; k < d; k++) {
                        hessian[j][k] += h * x[i][j] * x[i][k];
                    }
                }
            }
            for (int j = 0; j < d - 1; j++) {
                gradient[j] += l2 * w[j];
                hessian[j][j] += l2;
            }
            hessian[d - 1][d - 1] += 1e-9;
            double[] step = solve(hessian, gradient);
            double largest = 0;
            for (int j = 0; j < d; j++) {
                w[j] -= step[j];
                largest = Math.max(largest, Math.abs(step[j]));
            }
            if (largest < 1e-10) {
                break;
            }
        }
        return w;
    }

    /** Gaussian elimination with partial pivoting. */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = Arrays.copyOf(a[i], n + 1);
            m[i][n] = b[i];
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            double[] swap = m[col];
            m[col] = m[pivot];
            m[pivot] = swap;
            if (m[col][col] == 0) {
                throw new ArithmeticException("singular system");
            }
            for (int r = col + 1; r < n; r++) {
                double f = m[r][col] / m[col][col];
                for (int c = col; c <= n; c++) {
                    m[r][c] -= f * m[col][c];
                }
            }
        }
        double[] out = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = m[r][n];
            for (int c = r + 1; c < n; c++) {
                s -= m[r][c] * out[c];
            }
            out[r] = s / m[r][r];
        }
        return out;
    }
}
