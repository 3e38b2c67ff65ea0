package io.speculum.cascade.deferral;

import java.util.Locale;

/**
 * Chow's rule on one quantile of the token log-probabilities: score {@code -quantile_α(log p)} ({@link Quantiles}).
 * α = 0 scores the least confident token; a small α looks at the few worst tokens without being decided by one.
 */
public final class ChowQuantile implements DeferralRule {

    public static final String PREFIX = "chow-quantile-";

    private final double alpha;

    public ChowQuantile(double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], was " + alpha);
        }
        this.alpha = alpha;
    }

    public double alpha() {
        return alpha;
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
