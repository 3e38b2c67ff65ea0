package io.speculum.detector.scoring;

/** Min-K% Prob (Shi et al., 2024): the mean of the lowest k% token log-probabilities; higher for machine text. */
public record MinKProb(double fraction) implements LowestFraction {

    public static final String NAME = "min-k";
    public static final double DEFAULT_K = 0.2;

    public MinKProb {
        LowestFraction.requireFraction(fraction);
    }

    public MinKProb() {
        this(DEFAULT_K);
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
        return token.logProb();
    }
}
