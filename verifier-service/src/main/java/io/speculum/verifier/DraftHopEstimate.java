package io.speculum.verifier;

/**
 * How long asking for a draft of k tokens takes, from asking to receiving (Kafka both ways plus drafting): a line
 * a + b·k fitted by least squares over recent rounds, older rounds decaying, so a model drafter's per-token cost and
 * a lookup drafter's flat one are both learnt. Until rounds of different lengths are seen, the mean. Not thread-safe.
 */
final class DraftHopEstimate {

    private static final double DECAY = 0.9;
    private double weight;
    private double sumK;
    private double sumHop;
    private double sumKK;
    private double sumKHop;

    void observe(int k, double hopMillis) {
        weight = weight * DECAY + 1;
        sumK = sumK * DECAY + k;
        sumHop = sumHop * DECAY + hopMillis;
        sumKK = sumKK * DECAY + (double) k * k;
        sumKHop = sumKHop * DECAY + k * hopMillis;
    }

    /** Expected milliseconds for a draft of k tokens; 0 before anything was observed (optimistic: it will be tried). */
    double millis(int k) {
        if (weight == 0) {
            return 0;
        }
        double meanK = sumK / weight;
        double meanHop = sumHop / weight;
        double varianceK = sumKK / weight - meanK * meanK;
        if (varianceK < 0.25) {
            return meanHop;
        }
        double slope = Math.max(0, (sumKHop / weight - meanK * meanHop) / varianceK);
        double intercept = Math.max(0, meanHop - slope * meanK);
        return intercept + slope * k;
    }
}
