package io.speculum.detector.scoring;

import java.util.List;

/**
 * The per-token features the learned detector weighs: the statistics above, the square of the standardised
 * log-probability (a token drawn from the model's own distribution has {@code E[z²] = 1}; human tokens need not),
 * whether the token was the most likely one, and the token's position.
 */
public final class TokenFeatures {

    public static final List<String> NAMES = List.of("logProb", "logRank", "entropy", "standardisedLogProb",
            "squaredStandardisedLogProb", "logProbStdDev", "isTopToken", "relativePosition", "logPosition");

    private TokenFeatures() {
    }

    /** Raw (unstandardised) features of token {@code i} of {@code text}. */
    public static double[] of(TextEvidence text, int i) {
        TokenEvidence t = text.get(i);
        return new double[] {
            t.logProb(),
            Math.log1p(t.rank()),
            t.entropy(),
            t.standardisedLogProb(),
            t.standardisedLogProb() * t.standardisedLogProb(),
            Math.sqrt(t.logProbVariance()),
            t.rank() == 0 ? 1 : 0,
            text.size() == 1 ? 0 : (double) i / (text.size() - 1),
            Math.log(t.index()),
        };
    }
}
