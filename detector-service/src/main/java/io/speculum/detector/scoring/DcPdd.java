package io.speculum.detector.scoring;

import java.util.BitSet;

/**
 * DC-PDD (Zhang et al., 2024, "divergence-based calibration"): each token's probability is calibrated by how common
 * the token is in a reference corpus, {@code α_t = min(p(x_t) · log(1 / f(x_t)), cap)}, and the score is the mean of
 * {@code α} over the first occurrence of each distinct token. A model puts more mass than the corpus frequency
 * predicts on the tokens of text it would write itself: higher for machine text.
 */
public final class DcPdd implements TextScore {

    public static final String NAME = "dc-pdd";
    /** Upper bound on one token's term, so a single rare token cannot dominate (the paper's {@code a}). */
    public static final double DEFAULT_CAP = 10;

    private final TokenFrequencies frequencies;
    private final double cap;

    public DcPdd(TokenFrequencies frequencies, double cap) {
        if (!(cap > 0)) {
            throw new IllegalArgumentException("cap must be positive, was " + cap);
        }
        this.frequencies = frequencies;
        this.cap = cap;
    }

    public DcPdd(TokenFrequencies frequencies) {
        this(frequencies, DEFAULT_CAP);
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
        double sum = 0;
        for (double c : contributions(text)) {
            sum += c;
        }
        return sum;
    }

    @Override
    public double[] contributions(TextEvidence text) {
        TextScore.requireTokens(text);
        double[] out = new double[text.size()];
        BitSet seen = new BitSet(frequencies.vocabularySize());
        int firsts = 0;
        for (int i = 0; i < out.length; i++) {
            TokenEvidence t = text.get(i);
            if (t.token() >= frequencies.vocabularySize()) {
                throw new IllegalArgumentException("token " + t.token() + " is outside the frequency table's vocabulary");
            }
            if (!seen.get(t.token())) {
                seen.set(t.token());
                out[i] = alpha(t);
                firsts++;
            }
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= firsts;
        }
        return out;
    }

    private double alpha(TokenEvidence t) {
        return Math.min(Math.exp(t.logProb()) * -Math.log(frequencies.frequency(t.token())), cap);
    }
}
