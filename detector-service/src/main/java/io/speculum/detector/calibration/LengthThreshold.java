package io.speculum.detector.calibration;

/**
 * The threshold fitted on the calibration split's human texts of one length: {@code tokens} is their median count of
 * the observer's predicted tokens. Scores of human texts spread less the longer the text, so one threshold for all
 * lengths would let through more short human texts than stated and fewer long ones.
 */
public record LengthThreshold(int tokens, double threshold) {
}
