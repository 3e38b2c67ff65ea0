package io.speculum.detector.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Straightforward double-precision computations of every statistic, written independently of the main code: plain
 * softmax without shifting (the test logits are small), textbook formulas, sorting instead of selection.
 */
final class Reference {

    private Reference() {
    }

    static double[] probabilities(float[] logits) {
        double[] p = new double[logits.length];
        double z = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i]);
            z += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= z;
        }
        return p;
    }

    static double logProb(float[] logits, int token) {
        return Math.log(probabilities(logits)[token]);
    }

    static int rank(float[] logits, int token) {
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        int rank = 0;
        for (int i = sorted.length - 1; i >= 0 && sorted[i] > logits[token]; i--) {
            rank++;
        }
        return rank;
    }

    static double entropy(float[] logits) {
        double h = 0;
        for (double p : probabilities(logits)) {
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    /** {@code E_q[log p]} and {@code E_q[(log p)²] − E_q[log p]²} (the textbook variance formula). */
    static double[] moments(float[] scoring, float[] sampling) {
        double[] p = probabilities(scoring);
        double[] q = probabilities(sampling);
        double m1 = 0;
        double m2 = 0;
        for (int i = 0; i < p.length; i++) {
            if (q[i] > 0) {
                m1 += q[i] * Math.log(p[i]);
                m2 += q[i] * Math.log(p[i]) * Math.log(p[i]);
            }
        }
        return new double[] {m1, m2 - m1 * m1};
    }

    static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sum() / values.size();
    }

    static double meanOfLowest(List<Double> values, double k) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int m = Math.max(1, (int) (values.size() * k));
        return mean(sorted.subList(0, m));
    }

    static double fastDetectGpt(float[][] scoring, float[][] sampling, int[] tokens) {
        double num = 0;
        double var = 0;
        for (int t = 0; t < tokens.length; t++) {
            double[] m = moments(scoring[t], sampling[t]);
            num += logProb(scoring[t], tokens[t]) - m[0];
            var += m[1];
        }
        return num / Math.sqrt(var);
    }

    static double binoculars(float[][] performer, float[][] observer, int[] tokens) {
        double logPpl = 0;
        double logXPpl = 0;
        for (int t = 0; t < tokens.length; t++) {
            logPpl += -logProb(performer[t], tokens[t]);
            double[] q = probabilities(observer[t]);
            double[] p = probabilities(performer[t]);
            for (int i = 0; i < p.length; i++) {
                logXPpl += -q[i] * Math.log(p[i]);
            }
        }
        return (logPpl / tokens.length) / (logXPpl / tokens.length);
    }

    static double dcPdd(float[][] scoring, int[] tokens, long[] counts, double cap) {
        long total = Arrays.stream(counts).sum();
        Set<Integer> seen = new HashSet<>();
        List<Double> alphas = new ArrayList<>();
        for (int t = 0; t < tokens.length; t++) {
            if (seen.add(tokens[t])) {
                double f = (counts[tokens[t]] + 1.0) / (total + counts.length);
                double p = probabilities(scoring[t])[tokens[t]];
                alphas.add(Math.min(p * Math.log(1 / f), cap));
            }
        }
        return mean(alphas);
    }
}
