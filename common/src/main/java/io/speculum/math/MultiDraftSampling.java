package io.speculum.math;

import java.util.ArrayList;
import java.util.List;

/**
 * Speculative sampling over several candidates for one position (the siblings of a token tree): the emitted token
 * is distributed exactly as the target p, however many candidates there were.
 *
 * <ul>
 *   <li><b>Sampled candidates</b>, drawn independently from one proposal q (SpecTr's setting): recursive rejection
 *       sampling. Candidate i is accepted with probability min(1, pᵢ(xᵢ)/q(xᵢ)), where p₁ = p and, after each
 *       rejection, pᵢ₊₁ = norm(max(0, pᵢ − q)); when every candidate is rejected the token is drawn from the last
 *       residual. Each step is ordinary speculative sampling against the current residual, so by induction the
 *       output follows p. With one candidate this is exactly {@link SpeculativeSampling#verify}.</li>
 *   <li><b>Deterministic candidates</b> (point masses: a greedy drafter's top few, lookup or recycling guesses): the
 *       target's own sample is drawn with the uniform target-only sampling uses, and the candidate equal to it, if
 *       any, is accepted. The output is then the very token target-only sampling emits.</li>
 * </ul>
 * Randomness is keyed by (seed, position, stream); candidate 0 uses the chain's acceptance stream, candidate i > 0
 * its own stream {@code STREAM_SIBLING + i}.
 */
public final class MultiDraftSampling {

    /** First uniform stream of sibling candidates beyond the first (streams below are taken). */
    public static final int STREAM_SIBLING = 16;

    private MultiDraftSampling() {
    }

    /** Which candidate was accepted (-1: none) and the token emitted at the position. */
    public record Verdict(int accepted, int token) {
    }

    /** One outcome of {@link #law} and its probability. */
    public record Outcome(int accepted, int token, double probability) {
    }

    /**
     * @param candidates the sibling tokens, in the order they are tried
     * @param proposal   the distribution every candidate was drawn from independently, or null when they are
     *                   deterministic (then they should be distinct: a repeated candidate is never accepted); a
     *                   one-token proposal is a point mass
     */
    public static Verdict verify(SparseDistribution target, int[] candidates, SparseDistribution proposal, long seed, long position) {
        if (proposal == null || proposal.hasSingleToken()) { // point masses, as SpeculativeSampling couples them
            int own = SpeculativeSampling.sampleTarget(target, seed, position);
            for (int i = 0; i < candidates.length; i++) {
                if (candidates[i] == own) {
                    return new Verdict(i, own);
                }
            }
            return new Verdict(-1, own);
        }
        SparseDistribution current = target;
        for (int i = 0; i < candidates.length; i++) {
            double accept = SpeculativeSampling.acceptanceProbability(current, candidates[i], proposal);
            if (SeededUniform.at(seed, position, stream(i)) < accept) {
                return new Verdict(i, candidates[i]);
            }
            SparseDistribution residual = SpeculativeSampling.residual(current, proposal);
            if (residual == null) { // only through rounding when current == q: current itself is the right law
                return new Verdict(-1, TokenSampler.sample(current, SeededUniform.at(seed, position, SeededUniform.STREAM_RESIDUAL)));
            }
            current = residual;
        }
        if (candidates.length == 0) {
            return new Verdict(-1, SpeculativeSampling.sampleTarget(target, seed, position));
        }
        return new Verdict(-1, TokenSampler.sample(current, SeededUniform.at(seed, position, SeededUniform.STREAM_RESIDUAL)));
    }

    /**
     * The exact law of {@link #verify}'s verdict for fixed sampled candidates (integrating over its uniforms): what
     * enumeration tests sum over candidate draws to check that the emitted token follows the target.
     */
    public static List<Outcome> law(SparseDistribution target, int[] candidates, SparseDistribution proposal) {
        List<Outcome> outcomes = new ArrayList<>();
        SparseDistribution current = target;
        double reach = 1;
        for (int i = 0; i < candidates.length; i++) {
            double accept = SpeculativeSampling.acceptanceProbability(current, candidates[i], proposal);
            if (accept > 0) {
                outcomes.add(new Outcome(i, candidates[i], reach * accept));
            }
            reach *= 1 - accept;
            SparseDistribution residual = SpeculativeSampling.residual(current, proposal);
            if (residual == null) {
                break;
            }
            current = residual;
        }
        if (reach > 0) {
            for (int j = 0; j < current.size(); j++) {
                outcomes.add(new Outcome(-1, current.idAt(j), reach * current.probAt(j)));
            }
        }
        return outcomes;
    }

    static int stream(int candidate) {
        return candidate == 0 ? SeededUniform.STREAM_ACCEPT : STREAM_SIBLING + candidate;
    }
}
