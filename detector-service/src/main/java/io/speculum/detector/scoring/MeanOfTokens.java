package io.speculum.detector.scoring;

import java.util.function.ToDoubleFunction;

/** A score that is the plain mean of one per-token value; each token contributes its value over the length. */
abstract class MeanOfTokens implements TextScore {

    private final ToDoubleFunction<TokenEvidence> value;

    MeanOfTokens(ToDoubleFunction<TokenEvidence> value) {
        this.value = value;
    }

    @Override
    public double score(TextEvidence text) {
        TextScore.requireTokens(text);
        double sum = 0;
        for (TokenEvidence t : text.tokens()) {
            sum += value.applyAsDouble(t);
        }
        return sum / text.size();
    }

    @Override
    public double[] contributions(TextEvidence text) {
        double[] out = new double[text.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = machineDirection() * value.applyAsDouble(text.get(i)) / out.length;
        }
        return out;
    }
}
