package io.speculum.detector.scoring;

import java.util.List;

/** The per-token features the learned detector weighs: the statistics above, plus the token's position. */
public final class TokenFeatures {

    public static final List<String> NAMES = List.of("logProb", "logRank", "entropy", "standardisedLogProb",
            "logProbStdDev", "relativePosition", "logPosition");

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
            Math.sqrt(t.logProbVariance()),
            text.size() == 1 ? 0 : (double) i / (text.size() - 1),
            Math.log(t.index()),
        };
    }
}
