package io.speculum.detector.scoring;

import java.util.List;
import java.util.Map;

/**
 * A logistic combination of other methods' scores, made to hold across generators, decodings and lengths: each
 * method's oriented score, per token ({@code fast-detectgpt} divided by √n, the others are already means), becomes a
 * z-score against human texts of the same length ({@link CombinedWeights#moments()}, interpolated in log n), and
 * the logit is {@code bias + Σ_k linear_k z_k + quadratic_k z_k²}. Nothing in it says how long the text is or how it
 * began; the length only picks the human reference it is compared with.
 */
public final class CombinedDetector implements TextScore {

    public static final String NAME = "combined";

    private final CombinedWeights weights;
    private final List<TextScore> methods;

    /** @param methods the scores named by {@code weights.methods()}, in that order */
    public CombinedDetector(CombinedWeights weights, List<TextScore> methods) {
        if (methods.size() != weights.methods().size()) {
            throw new IllegalArgumentException("combined weights name " + weights.methods() + ", got " + methods.size() + " methods");
        }
        for (int k = 0; k < methods.size(); k++) {
            if (!methods.get(k).name().equals(weights.methods().get(k))) {
                throw new IllegalArgumentException("combined weights expect " + weights.methods().get(k) + " at " + k);
            }
        }
        this.weights = weights;
        this.methods = List.copyOf(methods);
    }

    /**
     * The combination {@code weights} describe over the methods named in them, taken from {@code available}; a clear
     * error when one is missing there.
     */
    public static CombinedDetector of(CombinedWeights weights, Map<String, TextScore> available) {
        List<String> missing = weights.methods().stream().filter(m -> !available.containsKey(m)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the combined detector needs " + missing + ", which this setup cannot run");
        }
        return new CombinedDetector(weights, weights.methods().stream().map(available::get).toList());
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
    public double score(TextEvidence text) {
        double[] z = zScores(text);
        double logit = weights.bias();
        for (int k = 0; k < z.length; k++) {
            logit += weights.linear()[k] * z[k] + weights.quadratic()[k] * z[k] * z[k];
        }
        return logit;
    }

    /**
     * The first-order share of each token: each combined method's token contributions (shares of its oriented score),
     * less that method's human mean spread evenly, weighed by the logit's slope in that method's score. They show
     * where the text departs from human text in the direction that raises the logit; they sum to
     * {@code Σ_k slope_k · (s_k − human mean)}, not to the logit itself.
     */
    @Override
    public double[] contributions(TextEvidence text) {
        double[] z = zScores(text);
        double[][] moments = momentsAt(text.size());
        int n = text.size();
        double[] out = new double[n];
        for (int k = 0; k < z.length; k++) {
            double scale = perTokenScale(k, n);
            double slope = (weights.linear()[k] + 2 * weights.quadratic()[k] * z[k]) / moments[1][k] / scale;
            double humanShare = moments[0][k] * scale / n;
            double[] c = methods.get(k).contributions(text);
            for (int t = 0; t < n; t++) {
                out[t] += slope * (c[t] - humanShare);
            }
        }
        return out;
    }

    /** Each method's per-token oriented score as a z-score against human texts of this length. */
    public double[] zScores(TextEvidence text) {
        TextScore.requireTokens(text);
        double[][] moments = momentsAt(text.size());
        double[] z = new double[methods.size()];
        for (int k = 0; k < z.length; k++) {
            double perToken = methods.get(k).oriented(text) / perTokenScale(k, text.size());
            z[k] = (perToken - moments[0][k]) / moments[1][k];
        }
        return z;
    }

    /** Sums over tokens grow like √n under their null; means do not. */
    private double perTokenScale(int k, int tokens) {
        return methods.get(k) instanceof FastDetectGpt ? Math.sqrt(tokens) : 1;
    }

    /** Means and deviations at {@code tokens}, interpolated in log(tokens) and clamped to the fitted lengths. */
    private double[][] momentsAt(int tokens) {
        List<CombinedWeights.Moments> m = weights.moments();
        int n = methods.size();
        CombinedWeights.Moments lo = m.getFirst();
        CombinedWeights.Moments hi = m.getFirst();
        double w = 0;
        if (tokens >= m.getLast().tokens()) {
            lo = m.getLast();
            hi = lo;
        } else if (tokens > m.getFirst().tokens()) {
            for (int i = 1; i < m.size(); i++) {
                if (tokens <= m.get(i).tokens()) {
                    lo = m.get(i - 1);
                    hi = m.get(i);
                    w = Math.log((double) tokens / lo.tokens()) / Math.log((double) hi.tokens() / lo.tokens());
                    break;
                }
            }
        }
        double[][] out = new double[2][n];
        for (int k = 0; k < n; k++) {
            out[0][k] = lo.means()[k] + w * (hi.means()[k] - lo.means()[k]);
            out[1][k] = lo.deviations()[k] + w * (hi.deviations()[k] - lo.deviations()[k]);
        }
        return out;
    }
}
