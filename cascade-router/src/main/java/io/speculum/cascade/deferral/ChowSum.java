package io.speculum.cascade.deferral;

/**
 * Chow's rule on the sequence log-probability: score {@code -Σ log p(token)}. Longer answers score higher for the
 * same per-token confidence (the length bias Gupta et al. show).
 */
public record ChowSum() implements DeferralRule {

    public static final String NAME = "chow-sum";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double score(AnswerUncertainty answer) {
        if (answer.isEmpty()) {
            return Double.POSITIVE_INFINITY;
        }
        double sum = 0;
        for (double logProb : answer.logProbs()) {
            sum += logProb;
        }
        return -sum;
    }
}
