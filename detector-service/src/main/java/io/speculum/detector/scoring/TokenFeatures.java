package io.speculum.detector.scoring;

import java.util.List;

/**
 * The per-token features the learned detector weighs: the statistics above, the square of the standardised
 * log-probability (a token drawn from the model's own distribution has {@code E[z²] = 1}; human tokens need not),
 * whether the token was the most likely one, the token's position, and entropy and log-probability by position (a
 * human text grows more predictable as its story unfolds; a small model's own samples drift and do not).
 */
public final class TokenFeatures {

    public static final List<String> NAMES = List.of("logProb", "logRank", "entropy", "standardisedLogProb",
            "squaredStandardisedLogProb", "logProbStdDev", "isTopToken", "relativePosition", "logPosition", "entropyByPosition", "logProbByPosition");

    private TokenFeatures() {
    }

    /** Raw (unstandardised) features of token {@code i} of {@code text}. */
    public static double[] of(TextEvidence text, int i) {
        TokenEvidence t = text.get(i);
        double relative = text.size() == 1 ? 0 : (double) i / (text.size() - 1);
        return new double[] {
            t.logProb(),
            Math.log1p(t.rank()),
            t.entropy(),
            t.standardisedLogProb(),
            t.standardisedLogProb() * t.standardisedLogProb(),
            Math.sqrt(t.logProbVariance()),
            t.rank() == 0 ? 1 : 0,
            relative,
            Math.log(t.index()),
            t.entropy() * (relative - 0.5),
            t.logProb() * (relative - 0.5),
        };
    }
}
