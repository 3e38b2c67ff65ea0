package io.speculum.cascade.deferral;

/** Chow's rule normalised by length: score {@code -(1/n) Σ log p(token)}, the answer's mean surprisal. */
public record ChowAverage() implements DeferralRule {

    public static final String NAME = "chow-average";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double score(AnswerUncertainty answer) {
        if (answer.isEmpty()) {
            return Double.POSITIVE_INFINITY;
        }
        return new ChowSum().score(answer) / answer.length();
    }
}
