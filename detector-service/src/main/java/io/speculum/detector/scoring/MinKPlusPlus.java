package io.speculum.detector.scoring;

/**
 * Min-K%++ (Zhang et al., 2024): each token's log-probability standardised by the mean and standard deviation of the
 * log-probability under its next-token distribution, {@code (log p(x_t) − μ_t) / σ_t}, then the mean of the lowest k%.
 */
public record MinKPlusPlus(double fraction) implements LowestFraction {

    public static final String NAME = "min-k++";

    public MinKPlusPlus {
        LowestFraction.requireFraction(fraction);
    }

    public MinKPlusPlus() {
        this(MinKProb.DEFAULT_K);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int machineDirection() {
        return 1;
    }

    @Override
    public double value(TokenEvidence token) {
        return token.standardisedLogProb();
    }
}
