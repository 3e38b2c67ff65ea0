package io.speculum.cascade.deferral;

import java.util.Arrays;

/**
 * Thresholds from a calibration run: a request is deferred when its score is strictly above the threshold.
 */
public final class DeferralThreshold {

    private DeferralThreshold() {
    }

    /**
     * The threshold that defers {@code round(rate · n)} of the calibration scores: midway between the last deferred
     * and the first kept score, so a new request scoring like a calibration one falls on the same side. Ties at the
     * cut keep the tied examples together (then the count is off by the tie's size).
     */
    public static double forDeferralRate(double[] scores, double rate) {
        if (scores.length == 0) {
            throw new IllegalArgumentException("no calibration scores");
        }
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("the deferral rate must be in [0, 1], was " + rate);
        }
        double[] descending = Arrays.stream(scores).map(s -> -s).sorted().map(s -> -s).toArray();
        int deferred = (int) Math.round(rate * scores.length);
        if (deferred == 0) {
            return descending[0] == Double.POSITIVE_INFINITY ? Double.MAX_VALUE : Math.nextUp(descending[0]);
        }
        if (deferred == scores.length) {
            return Math.nextDown(descending[scores.length - 1]);
        }
        double lastDeferred = descending[deferred - 1];
        double firstKept = descending[deferred];
        if (lastDeferred == Double.POSITIVE_INFINITY) {
            return firstKept == Double.POSITIVE_INFINITY ? Double.MAX_VALUE : firstKept + Math.max(1, Math.abs(firstKept));
        }
        return lastDeferred == firstKept ? firstKept : firstKept + (lastDeferred - firstKept) / 2;
    }

    /**
     * The threshold for a cost budget per request: every request costs {@code smallCost}, a deferred one also
     * {@code largeCost}, so at most {@code (budget - smallCost) / largeCost} of the requests may be deferred.
     */
    public static double forCostBudget(double[] scores, double smallCost, double largeCost, double budget) {
        if (!(smallCost >= 0) || !(largeCost > 0) || !(budget >= 0)) {
            throw new IllegalArgumentException("costs must be >= 0 (the large one > 0) and the budget >= 0");
        }
        double rate = Math.max(0, Math.min(1, (budget - smallCost) / largeCost));
        // the largest count within the budget (rounding down, not to the nearest)
        double allowed = Math.floor(rate * scores.length + 1e-9) / scores.length;
        return forDeferralRate(scores, allowed);
    }

    /** The fraction of {@code scores} strictly above {@code threshold}. */
    public static double deferralRate(double[] scores, double threshold) {
        return (double) Arrays.stream(scores).filter(s -> s > threshold).count() / scores.length;
    }
}
