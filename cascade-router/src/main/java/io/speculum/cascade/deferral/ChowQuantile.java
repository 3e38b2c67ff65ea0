package io.speculum.cascade.deferral;

import java.util.Locale;

/**
 * Chow's rule on one quantile of the token log-probabilities: score {@code -quantile_α(log p)} ({@link Quantiles}).
 * α = 0 scores the least confident token; a small α looks at the few worst tokens without being decided by one.
 */
public record ChowQuantile(double alpha) implements DeferralRule {

    public static final String PREFIX = "chow-quantile-";

    public ChowQuantile {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], was " + alpha);
        }
    }

    /** The rule a name such as {@code chow-quantile-0.1} spells. */
    static ChowQuantile named(String name) {
        try {
            return new ChowQuantile(Double.parseDouble(name.substring(PREFIX.length())));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + name + "': the quantile must be a number in [0, 1]", e);
        }
    }

    @Override
    public String name() {
        return PREFIX + String.format(Locale.ROOT, "%s", alpha);
    }

    @Override
    public double score(AnswerUncertainty answer) {
        if (answer.isEmpty()) {
            return Double.POSITIVE_INFINITY;
        }
        return -Quantiles.of(answer.logProbs(), alpha);
    }
}
