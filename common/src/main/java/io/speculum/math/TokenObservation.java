package io.speculum.math;

/**
 * What one logits row says about one token: the raw material of detection (how surprising was this token?) and of
 * model cascades (how sure was the model?). All log-probabilities are natural logs at temperature 1.
 *
 * @param token      the observed token id
 * @param logProb    its log-probability
 * @param rank       how many tokens have a strictly greater logit (0 = a most likely token)
 * @param entropy    entropy of the whole row's distribution, in nats
 * @param maxLogProb log-probability of the most likely token
 */
public record TokenObservation(int token, double logProb, int rank, double entropy, double maxLogProb) {

    /** The token's probability, {@code exp(logProb)}. */
    public double probability() {
        return Math.exp(logProb);
    }

    /** How far the token is behind the most likely one, in nats ({@code >= 0}; 0 for an argmax token). */
    public double logProbGap() {
        return maxLogProb - logProb;
    }
}
