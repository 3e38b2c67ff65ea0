package io.speculum.detector.scoring;

/**
 * What the observer(s) said about one token of a text, computed from the logits row that predicted it.
 *
 * @param index                 the token's index in the text's token ids (the first predicted token is 1, after BOS)
 * @param token                 the token id
 * @param logProb               {@code log p(x_t)} under the scoring model
 * @param rank                  tokens with a strictly higher logit (0 = the most likely token)
 * @param entropy               entropy of the scoring model's next-token distribution, nats
 * @param expectedLogProb       {@code μ_t = Σ_x p(x) log p(x)} (= −entropy)
 * @param logProbVariance       {@code σ²_t = Σ_x p(x) (log p(x) − μ_t)²}
 * @param crossExpectedLogProb  {@code Σ_x q(x) log p(x)} with {@code q} the reference model's distribution; equal to
 *                              {@link #expectedLogProb} when there is no reference model
 * @param crossLogProbVariance  {@code Σ_x q(x) (log p(x) − crossExpectedLogProb)²}; {@link #logProbVariance} alone
 */
public record TokenEvidence(int index, int token, double logProb, int rank, double entropy, double expectedLogProb,
                            double logProbVariance, double crossExpectedLogProb, double crossLogProbVariance) {

    /** {@code (log p(x_t) − μ_t) / σ_t}, Min-K%++'s standardised log-probability; 0 when the distribution is a point. */
    public double standardisedLogProb() {
        return logProbVariance > 0 ? (logProb - expectedLogProb) / Math.sqrt(logProbVariance) : 0;
    }

    /** {@code −Σ_x q(x) log p(x)}: Binoculars' per-token cross-perplexity term (the entropy with one model). */
    public double crossEntropy() {
        return -crossExpectedLogProb;
    }
}
