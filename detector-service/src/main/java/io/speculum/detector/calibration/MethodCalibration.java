package io.speculum.detector.calibration;

/**
 * What the {@code calibrate} command fitted for one method: a probability mapping over the oriented score and the
 * threshold that let {@code falsePositiveRate} of the calibration split's human texts through.
 *
 * @param threshold on the oriented score: above it, the label is "machine"
 */
public record MethodCalibration(PlattScaling platt, double threshold, double falsePositiveRate, int machineTexts, int humanTexts) {

    public static MethodCalibration fit(double[] machine, double[] human, double falsePositiveRate) {
        return new MethodCalibration(PlattScaling.fit(machine, human), Roc.thresholdAt(human, falsePositiveRate),
                falsePositiveRate, machine.length, human.length);
    }

    public boolean isMachine(double orientedScore) {
        return orientedScore > threshold;
    }
}
