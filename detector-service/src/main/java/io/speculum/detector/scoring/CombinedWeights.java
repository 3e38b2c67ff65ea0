package io.speculum.detector.scoring;

import java.util.Comparator;
import java.util.List;

/**
 * A fitted {@link CombinedDetector}, as the {@code combine} command writes it.
 *
 * @param methods   the combined methods, in feature order
 * @param moments   per length (by increasing tokens): the mean and standard deviation of each method's per-token
 *                  score on the human texts of the training split, which turn scores into z-scores that do not grow
 *                  or shrink with length
 * @param linear    weight of each z-score
 * @param quadratic weight of each squared z-score: text that is atypical of human text in <em>either</em> direction
 *                  (too likely for its own family, too unlikely for another family) scores high
 * @param bias      added; the score is a logit (positive: machine)
 */
public record CombinedWeights(String vocabularyFingerprint, String observers, String trainedOn, List<String> methods,
                              List<Moments> moments, double[] linear, double[] quadratic, double bias) {

    /** Human-text moments of the per-token scores at one length ({@code tokens}: the median token count). */
    public record Moments(int tokens, double[] means, double[] deviations) {
    }

    public CombinedWeights {
        methods = List.copyOf(methods);
        moments = moments.stream().sorted(Comparator.comparingInt(Moments::tokens)).toList();
        int n = methods.size();
        if (n == 0 || moments.isEmpty() || linear.length != n || quadratic.length != n) {
            throw new IllegalArgumentException("combined weights need at least one method and one length, and "
                    + n + " linear and quadratic weights");
        }
        for (Moments m : moments) {
            if (m.means().length != n || m.deviations().length != n) {
                throw new IllegalArgumentException("combined weights need " + n + " means and deviations per length");
            }
            for (double d : m.deviations()) {
                if (!(d > 0)) {
                    throw new IllegalArgumentException("deviations must be positive");
                }
            }
        }
    }
}
