package io.speculum.detector.scoring;

import java.util.List;

/**
 * A trained learned detector, as saved by the {@code train} command and loaded by the service.
 *
 * @param features  names of the features, in order (must equal {@link TokenFeatures#NAMES})
 * @param means     per feature, subtracted before use (from the training texts)
 * @param scales    per feature, divided by after centring
 * @param attention weights of a token's relevance {@code u_t = a · f_t}; tokens are weighed by {@code softmax(u)}
 * @param value     weights of a token's vote {@code v_t = b · f_t}
 * @param bias      added to the weighted vote; the score is a logit (positive: machine)
 */
public record LearnedWeights(String vocabularyFingerprint, String trainedOn, List<String> features, double[] means,
                             double[] scales, double[] attention, double[] value, double bias) {

    public LearnedWeights {
        features = List.copyOf(features);
        if (!features.equals(TokenFeatures.NAMES)) {
            throw new IllegalArgumentException("learned weights for features " + features + ", this detector computes "
                    + TokenFeatures.NAMES);
        }
        int n = features.size();
        if (means.length != n || scales.length != n || attention.length != n || value.length != n) {
            throw new IllegalArgumentException("learned weights need " + n + " values per vector");
        }
        for (double s : scales) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("feature scales must be positive");
            }
        }
    }
}
