package io.speculum.detector.scoring;

/**
 * Binoculars (Hans et al., 2024): the scoring model's log-perplexity divided by the cross-perplexity between the two
 * observers, {@code (Σ −log p(x_t)) / (Σ −Σ_x q(x) log p(x))}. With one observer the denominator is the scoring
 * model's own entropy. Machine text is less surprising than the observers expect one another to be: lower scores.
 */
public record Binoculars() implements TextScore {

    public static final String NAME = "binoculars";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int machineDirection() {
        return -1;
    }

    @Override
    public double score(TextEvidence text) {
        TextScore.requireTokens(text);
        double nll = 0;
        double cross = 0;
        for (TokenEvidence t : text.tokens()) {
            nll -= t.logProb();
            cross += t.crossEntropy();
        }
        return nll / cross;
    }

    /** Each token's surprisal over the total cross-entropy, negated: surprising tokens point to a human. */
    @Override
    public double[] contributions(TextEvidence text) {
        TextScore.requireTokens(text);
        double cross = 0;
        for (TokenEvidence t : text.tokens()) {
            cross += t.crossEntropy();
        }
        double[] out = new double[text.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = text.get(i).logProb() / cross;
        }
        return out;
    }
}
