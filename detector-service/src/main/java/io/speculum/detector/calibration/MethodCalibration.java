package io.speculum.detector.calibration;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What the {@code calibrate} command fitted for one method: a probability mapping over the oriented score and the
 * threshold that let {@code falsePositiveRate} of the calibration split's human texts through.
 *
 * @param threshold        on the oriented score: above it, the label is "machine" (all lengths pooled)
 * @param lengthThresholds when present (calibrated on texts of several lengths), the thresholds per length, by
 *                         increasing tokens; a text's threshold is interpolated between them in log(tokens)
 *                         ({@link #thresholdFor}), clamped to the shortest and longest
 */
public record MethodCalibration(PlattScaling platt, double threshold, double falsePositiveRate, int machineTexts, int humanTexts,
                                List<LengthThreshold> lengthThresholds) {

    public MethodCalibration {
        lengthThresholds = lengthThresholds == null ? List.of()
                : lengthThresholds.stream().sorted(Comparator.comparingInt(LengthThreshold::tokens)).toList();
    }

    public MethodCalibration(PlattScaling platt, double threshold, double falsePositiveRate, int machineTexts, int humanTexts) {
        this(platt, threshold, falsePositiveRate, machineTexts, humanTexts, List.of());
    }

    public static MethodCalibration fit(double[] machine, double[] human, double falsePositiveRate) {
        return new MethodCalibration(PlattScaling.fit(machine, human), Roc.thresholdAt(human, falsePositiveRate),
                falsePositiveRate, machine.length, human.length);
    }

    /**
     * As {@link #fit(double[], double[], double)}, with a threshold per length from the human texts of each length
     * (keyed by their median token count).
     */
    public static MethodCalibration fit(double[] machine, double[] human, double falsePositiveRate,
                                        Map<Integer, double[]> humanByTokens) {
        List<LengthThreshold> byLength = new ArrayList<>();
        humanByTokens.forEach((tokens, scores) -> byLength.add(new LengthThreshold(tokens, Roc.thresholdAt(scores, falsePositiveRate))));
        return new MethodCalibration(PlattScaling.fit(machine, human), Roc.thresholdAt(human, falsePositiveRate),
                falsePositiveRate, machine.length, human.length, byLength);
    }

    /** The threshold for a text of {@code tokens} predicted tokens. */
    public double thresholdFor(int tokens) {
        List<LengthThreshold> t = lengthThresholds;
        if (t.isEmpty()) {
            return threshold;
        }
        if (tokens <= t.getFirst().tokens()) {
            return t.getFirst().threshold();
        }
        for (int i = 1; i < t.size(); i++) {
            LengthThreshold lo = t.get(i - 1);
            LengthThreshold hi = t.get(i);
            if (tokens == hi.tokens()) {
                return hi.threshold();
            }
            if (tokens < hi.tokens()) {
                double w = Math.log((double) tokens / lo.tokens()) / Math.log((double) hi.tokens() / lo.tokens());
                return lo.threshold() + w * (hi.threshold() - lo.threshold());
            }
        }
        return t.getLast().threshold();
    }

    public boolean isMachine(double orientedScore) {
        return orientedScore > threshold;
    }

    public boolean isMachine(double orientedScore, int tokens) {
        return orientedScore > thresholdFor(tokens);
    }

    /** The median of {@code values} (rounded), the key of a length's threshold. */
    public static int median(int[] values) {
        int[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
