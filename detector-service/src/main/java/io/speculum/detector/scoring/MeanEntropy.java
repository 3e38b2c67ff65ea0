package io.speculum.detector.scoring;

/** Mean entropy of the next-token distributions {@code (1/n) Σ H_t}: lower where the text is predictable. */
public record MeanEntropy() implements MeanOfTokens {

    public static final String NAME = "entropy";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int machineDirection() {
        return -1;
    }

    @Override
    public double value(TokenEvidence token) {
        return token.entropy();
    }
}
