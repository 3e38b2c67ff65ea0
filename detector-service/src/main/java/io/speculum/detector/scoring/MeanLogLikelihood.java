package io.speculum.detector.scoring;

/** Mean log-likelihood {@code (1/n) Σ log p(x_t)}: machine text is more likely under a model like its generator. */
public record MeanLogLikelihood() implements MeanOfTokens {

    public static final String NAME = "log-likelihood";

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
