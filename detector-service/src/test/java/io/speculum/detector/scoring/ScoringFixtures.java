package io.speculum.detector.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random logits rows, tokens and their evidence, for comparing the scores with {@link Reference}. */
final class ScoringFixtures {

    final float[][] scoring;
    final float[][] reference;
    final int[] tokens;

    ScoringFixtures(long seed, int length, int vocabulary) {
        Random random = new Random(seed);
        scoring = new float[length][vocabulary];
        reference = new float[length][vocabulary];
        tokens = new int[length];
        for (int t = 0; t < length; t++) {
            float spread = 1 + random.nextInt(6);
            for (int i = 0; i < vocabulary; i++) {
                scoring[t][i] = (float) (random.nextGaussian() * spread);
                reference[t][i] = scoring[t][i] + (float) (random.nextGaussian() * 0.7);
            }
            tokens[t] = random.nextInt(vocabulary);
        }
    }

    TextEvidence evidence(boolean withReference) {
        List<TokenEvidence> out = new ArrayList<>();
        for (int t = 0; t < tokens.length; t++) {
            out.add(TokenEvidenceCalculator.of(scoring[t], withReference ? reference[t] : null, tokens[t], t + 1));
        }
        return new TextEvidence(out, withReference);
    }
}
