package io.speculum.detector.scoring;

/**
 * A learned detector in the spirit of PAWN (Miralles-González et al., 2025): instead of a plain mean, each token's
 * vote {@code v_t = b · f_t} is weighed by a learned relevance {@code w_t = softmax_t(a · f_t)} over standardised
 * per-token features {@code f_t} ({@link TokenFeatures}). The score {@code Σ w_t v_t + c} is a logit; a token's
 * contribution is {@code w_t v_t}, which says which tokens drove the decision.
 */
public final class LearnedDetector implements TextScore {

    public static final String NAME = "learned";

    private final LearnedWeights weights;

    public LearnedDetector(LearnedWeights weights) {
        this.weights = weights;
    }

    public LearnedWeights weights() {
        return weights;
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
        double sum = weights.bias();
        for (double c : contributions(text)) {
            sum += c;
        }
        return sum;
    }

    @Override
    public double[] contributions(TextEvidence text) {
        TextScore.requireTokens(text);
        double[][] f = standardised(text, weights);
        double[] u = new double[f.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < f.length; i++) {
            u[i] = dot(weights.attention(), f[i]);
            max = Math.max(max, u[i]);
        }
        double sum = 0;
        for (int i = 0; i < f.length; i++) {
            u[i] = Math.exp(u[i] - max);
            sum += u[i];
        }
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = u[i] / sum * dot(weights.value(), f[i]);
        }
        return out;
    }

    static double[][] standardised(TextEvidence text, LearnedWeights weights) {
        double[][] f = new double[text.size()][];
        for (int i = 0; i < f.length; i++) {
            double[] raw = TokenFeatures.of(text, i);
            for (int j = 0; j < raw.length; j++) {
                raw[j] = (raw[j] - weights.means()[j]) / weights.scales()[j];
            }
            f[i] = raw;
        }
        return f;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
