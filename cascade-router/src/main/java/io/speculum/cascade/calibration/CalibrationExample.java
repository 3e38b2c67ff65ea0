package io.speculum.cascade.calibration;

import io.speculum.cascade.deferral.AnswerUncertainty;

/**
 * One prompt of a calibration run: the small answer's statistics, the quality of the small and the large answer,
 * and what deferring it costs the large model with and without the small answer as its draft.
 *
 * @param scratchRounds     the large model's verification rounds generating from scratch
 * @param speculativeRounds the same with the small answer as draft text
 */
public record CalibrationExample(String id, AnswerUncertainty uncertainty, double smallQuality, double largeQuality,
                                 int smallTokens, int largeTokens, int scratchRounds, int speculativeRounds) {
}
