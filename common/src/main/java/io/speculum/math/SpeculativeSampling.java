package io.speculum.math;

/**
 * Speculative sampling's decisions for one drafted position: accept the draft token d with probability
 * min(1, p(d)/q(d)), otherwise emit a token drawn from the normalised residual max(0, p − q). The emitted token is
 * then distributed exactly as p, whatever q was.
 *
 * <p>Two refinements keep outputs reproducible, not only correctly distributed:
 * <ul>
 *   <li>Randomness is keyed by (seed, position) through {@link SeededUniform}, never by round or replica.</li>
 *   <li>A point-mass proposal (a greedy drafter, or a drafter that sends no distribution) is verified by drawing the
 *       target's own sample with the uniform target-only sampling uses and accepting iff it equals the draft. The
 *       acceptance probability is p(d), exactly the min(1, p(d)/1) of the general rule, and the emitted token is
 *       the one target-only sampling with the same seed emits: output does not depend on the drafter at all.</li>
 * </ul>
 */
public final class SpeculativeSampling {

    private SpeculativeSampling() {
    }

    /** The outcome at one drafted position: the draft accepted, or the token emitted in its place. */
    public record Verdict(boolean accepted, int token) {
    }

    /**
     * Decides one position.
     *
     * @param target   the target's distribution at this position (after temperature and truncation; a point mass
     *                 when greedy)
     * @param draft    the drafted token
     * @param proposal the distribution the draft was drawn from, or null for a point mass on {@code draft}
     * @param position absolute position of the token in the sequence (prompt included)
     */
    public static Verdict verify(SparseDistribution target, int draft, SparseDistribution proposal, long seed, long position) {
        if (proposal == null || proposal.hasSingleToken()) {
            if (proposal != null && proposal.idAt(0) != draft) {
                throw new IllegalArgumentException("draft " + draft + " is not the point mass of its proposal " + proposal);
            }
            int own = sampleTarget(target, seed, position);
            return new Verdict(own == draft, own);
        }
        double accept = acceptanceProbability(target, draft, proposal);
        if (SeededUniform.at(seed, position, SeededUniform.STREAM_ACCEPT) < accept) {
            return new Verdict(true, draft);
        }
        SparseDistribution residual = residual(target, proposal);
        if (residual == null) { // only reachable through rounding when p == q: p itself is then the right law
            return new Verdict(false, sampleTarget(target, seed, position));
        }
        return new Verdict(false, TokenSampler.sample(residual, SeededUniform.at(seed, position, SeededUniform.STREAM_RESIDUAL)));
    }

    /** The token target-only sampling emits at {@code position}: also the bonus token after a fully accepted chain. */
    public static int sampleTarget(SparseDistribution target, long seed, long position) {
        if (target.hasSingleToken()) {
            return target.idAt(0);
        }
        return TokenSampler.sample(target, SeededUniform.at(seed, position, SeededUniform.STREAM_SAMPLE));
    }

    /** min(1, p(d) / q(d)); 0 when the draft is outside the target's support. */
    public static double acceptanceProbability(SparseDistribution target, int draft, SparseDistribution proposal) {
        double q = proposal.probabilityOf(draft);
        if (q <= 0) {
            throw new IllegalArgumentException("draft " + draft + " has probability 0 under its own proposal");
        }
        return Math.min(1.0, target.probabilityOf(draft) / q);
    }

    /** The normalised residual max(0, p − q) over the target's support, or null when it has no mass (p ≤ q everywhere). */
    public static SparseDistribution residual(SparseDistribution target, SparseDistribution proposal) {
        int n = target.size();
        int[] ids = new int[n];
        float[] probs = new float[n];
        double total = 0;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            double excess = target.probAt(i) - proposal.probabilityOf(target.idAt(i));
            if (excess > 0) {
                ids[kept] = target.idAt(i);
                probs[kept] = (float) excess;
                total += excess;
                kept++;
            }
        }
        if (kept == 0 || total <= 1e-12) {
            return null;
        }
        int[] keptIds = java.util.Arrays.copyOf(ids, kept);
        float[] normalised = new float[kept];
        double sum = 0;
        for (int i = 0; i < kept; i++) {
            normalised[i] = (float) (probs[i] / total);
            sum += normalised[i];
        }
        normalised[kept - 1] += (float) (1.0 - sum); // keep the float sum at 1 for validation
        if (normalised[kept - 1] < 0) {
            normalised[kept - 1] = 0;
        }
        return new SparseDistribution(keptIds, normalised);
    }
}
