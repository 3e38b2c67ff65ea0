package io.speculum.math;

/**
 * An online estimate of a drafter's per-token acceptance rate α, under the usual model of speculative decoding:
 * each draft token is accepted with probability α until the first rejection. Over rounds with {@code a} accepted
 * tokens and {@code r} rejections (a round whose draft was accepted whole has none), the maximum-likelihood
 * estimate is a / (a + r); a prior of {@code priorWeight} pseudo-observations at {@code prior} keeps the first rounds
 * sane, and older evidence decays by {@code decay} per round, so the estimate follows a text whose predictability
 * changes. Not thread-safe.
 */
public final class AcceptanceEstimate {

    private final double prior;
    private final double priorWeight;
    private final double decay;
    private double accepted;
    private double rejected;
    private long rounds;

    public AcceptanceEstimate(double prior, double priorWeight, double decay) {
        if (!(prior >= 0 && prior <= 1) || !(priorWeight > 0) || !(decay > 0 && decay <= 1)) {
            throw new IllegalArgumentException("prior in [0, 1], priorWeight > 0 and decay in (0, 1] required, got "
                    + prior + ", " + priorWeight + ", " + decay);
        }
        this.prior = prior;
        this.priorWeight = priorWeight;
        this.decay = decay;
    }

    /** Even odds, worth two observations, forgetting a tenth per round: about the last ten rounds count. */
    public static AcceptanceEstimate standard() {
        return new AcceptanceEstimate(0.5, 2, 0.9);
    }

    /** One verified draft of {@code drafted} tokens of which the first {@code accepted} were accepted. */
    public void observe(int drafted, int accepted) {
        if (drafted <= 0) {
            return;
        }
        if (accepted < 0 || accepted > drafted) {
            throw new IllegalArgumentException(accepted + " accepted of " + drafted);
        }
        this.accepted = this.accepted * decay + accepted;
        this.rejected = this.rejected * decay + (accepted < drafted ? 1 : 0);
        rounds++;
    }

    public double alpha() {
        return (accepted + prior * priorWeight) / (accepted + rejected + priorWeight);
    }

    /** Verified drafts observed so far. */
    public long rounds() {
        return rounds;
    }

    /** Expected accepted draft tokens of a k-token chain: α + α² + … + α^k. */
    public static double expectedAccepted(double alpha, int k) {
        double sum = 0;
        double power = 1;
        for (int i = 0; i < k; i++) {
            power *= alpha;
            sum += power;
        }
        return sum;
    }
}
