package io.speculum.detector.calibration;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** ROC analysis of oriented scores (higher: more machine-like) of machine (positive) and human (negative) texts. */
public final class Roc {

    private final double[] positives;
    private final double[] negatives;

    public Roc(double[] positives, double[] negatives) {
        if (positives.length == 0 || negatives.length == 0) {
            throw new IllegalArgumentException("ROC needs positive and negative examples");
        }
        this.positives = positives.clone();
        this.negatives = negatives.clone();
        Arrays.sort(this.positives);
        Arrays.sort(this.negatives);
    }

    /** Area under the curve: the probability that a random positive outscores a random negative, ties count half. */
    public double auroc() {
        double wins = 0;
        for (double p : positives) {
            int below = lowerBound(negatives, p);
            int notAbove = upperBound(negatives, p);
            wins += below + 0.5 * (notAbove - below);
        }
        return wins / ((double) positives.length * negatives.length);
    }

    /** The fraction of positives above the threshold that lets at most {@code fpr} of the negatives through. */
    public double truePositiveRateAt(double fpr) {
        double threshold = thresholdAt(negatives, fpr);
        return (positives.length - upperBound(positives, threshold)) / (double) positives.length;
    }

    /**
     * The smallest threshold {@code t} among the negatives' scores such that at most {@code floor(fpr · n)} negatives
     * score strictly above it; "machine" means a score above {@code t}.
     */
    public static double thresholdAt(double[] negativeScores, double fpr) {
        if (!(fpr >= 0 && fpr < 1)) {
            throw new IllegalArgumentException("fpr must be in [0, 1), was " + fpr);
        }
        double[] sorted = negativeScores.clone();
        Arrays.sort(sorted);
        int allowed = (int) Math.floor(fpr * sorted.length);
        return sorted[sorted.length - 1 - allowed];
    }

    /** The curve's points (fpr, tpr), from (0, 0) to (1, 1), one per distinct threshold. */
    public List<double[]> curve() {
        double[] all = new double[positives.length + negatives.length];
        System.arraycopy(positives, 0, all, 0, positives.length);
        System.arraycopy(negatives, 0, all, positives.length, negatives.length);
        Arrays.sort(all);
        List<double[]> points = new ArrayList<>();
        points.add(new double[] {0, 0});
        for (int i = all.length - 1; i >= 0; i--) {
            if (i > 0 && all[i - 1] == all[i]) {
                continue;
            }
            double t = all[i];
            double tpr = (positives.length - lowerBound(positives, t)) / (double) positives.length;
            double fpr = (negatives.length - lowerBound(negatives, t)) / (double) negatives.length;
            points.add(new double[] {fpr, tpr});
        }
        return points;
    }

    private static int lowerBound(double[] sorted, double value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int upperBound(double[] sorted, double value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
