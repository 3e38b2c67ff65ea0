package io.speculum.protocol.detection;

/**
 * One method's verdict on one text.
 *
 * @param score             the method's raw score, with the sign its paper gives it
 * @param machineDirection  +1 when a higher score means machine-generated, −1 when a lower one does
 * @param probability       calibrated probability that the text is machine-generated; null without a calibration
 * @param label             {@code machine} or {@code human} at the threshold below; null without a calibration
 * @param threshold         on the oriented score ({@code machineDirection · score}): above it, {@code machine}
 * @param falsePositiveRate the false-positive rate the threshold was set for on human calibration texts
 */
public record MethodScore(String method, double score, int machineDirection, Double probability, String label,
                          Double threshold, Double falsePositiveRate) {

    public static final String MACHINE = "machine";
    public static final String HUMAN = "human";
}
