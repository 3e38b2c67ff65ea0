package io.speculum.detector.scoring;

/** A score that is the plain mean of one per-token value; each token contributes its value over the length. */
interface MeanOfTokens extends TextScore {

    /** The per-token value averaged. */
    double value(TokenEvidence token);

    @Override
    default double score(TextEvidence text) {
        TextScore.requireTokens(text);
        double sum = 0;
        for (TokenEvidence t : text.tokens()) {
            sum += value(t);
        }
        return sum / text.size();
    }

    @Override
    default double[] contributions(TextEvidence text) {
        double[] out = new double[text.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = machineDirection() * value(text.get(i)) / out.length;
        }
        return out;
    }
}
