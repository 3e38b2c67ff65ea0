package io.speculum.detector.scoring;

/**
 * Mean log-rank (GLTR, DetectLLM's LRR denominator): {@code (1/n) Σ log(1 + rank_t)} with rank 0 for the most likely
 * token. Machine text keeps to the top of the distribution, so its log-rank is lower.
 */
public record MeanLogRank() implements MeanOfTokens {

    public static final String NAME = "log-rank";

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
        return Math.log1p(token.rank());
    }
}
