package io.speculum.detector.scoring;

/**
 * Fast-DetectGPT's analytic sampling discrepancy (Bao et al., 2024):
 * {@code (Σ log p(x_t) − Σ μ_t) / sqrt(Σ σ_t²)}, where {@code μ_t} and {@code σ_t²} are the mean and variance of
 * {@code log p} under the sampling distribution. White-box, the sampling distribution is the scoring model's own;
 * with a sampling model {@code q}, they are taken under {@code q} (the evidence's cross statistics).
 * Machine text sits near the mode of the distribution, so its discrepancy is higher. 0 when every σ is 0.
 */
public final class FastDetectGpt implements TextScore {

    public static final String NAME = "fast-detectgpt";
    public static final String SAMPLING_NAME = "fast-detectgpt-sampling";

    private final boolean withSamplingModel;

    private FastDetectGpt(boolean withSamplingModel) {
        this.withSamplingModel = withSamplingModel;
    }

    public static FastDetectGpt whiteBox() {
        return new FastDetectGpt(false);
    }

    public static FastDetectGpt withSamplingModel() {
        return new FastDetectGpt(true);
    }

    @Override
    public String name() {
        return withSamplingModel ? SAMPLING_NAME : NAME;
    }

    @Override
    public int machineDirection() {
        return 1;
    }

    @Override
    public double score(TextEvidence text) {
        double[] c = contributions(text);
        double sum = 0;
        for (double v : c) {
            sum += v;
        }
        return sum;
    }

    @Override
    public double[] contributions(TextEvidence text) {
        TextScore.requireTokens(text);
        if (withSamplingModel && !text.withReference()) {
            throw new IllegalArgumentException(SAMPLING_NAME + " needs a sampling (reference) model's evidence");
        }
        double variance = 0;
        for (TokenEvidence t : text.tokens()) {
            variance += withSamplingModel ? t.crossLogProbVariance() : t.logProbVariance();
        }
        double[] out = new double[text.size()];
        if (variance <= 0) {
            return out;
        }
        double scale = Math.sqrt(variance);
        for (int i = 0; i < out.length; i++) {
            TokenEvidence t = text.get(i);
            out[i] = (t.logProb() - (withSamplingModel ? t.crossExpectedLogProb() : t.expectedLogProb())) / scale;
        }
        return out;
    }
}
