package io.speculum.math;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Verifies a chain of drafted tokens against the target's distributions from one batched decode: drafts are
 * accepted left to right until the first rejection, whose position gets the verdict's correction; when every draft
 * is accepted the position after the chain gets a bonus token. A round therefore always emits accepted + 1 tokens.
 */
public final class ChainVerification {

    private ChainVerification() {
    }

    /**
     * @param tokens   the tokens to commit: the accepted drafts, then the correction or bonus token
     * @param accepted how many drafts were accepted
     */
    public record Outcome(int[] tokens, int accepted) {

        public Outcome {
            tokens = tokens.clone();
        }

        /** The token after the accepted drafts (a correction or a bonus token). */
        public int lastToken() {
            return tokens[tokens.length - 1];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Outcome(int[] t, int a) && a == accepted && Arrays.equals(t, tokens);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(tokens) + accepted;
        }

        @Override
        public String toString() {
            return "Outcome" + Arrays.toString(tokens) + " accepted=" + accepted;
        }
    }

    /**
     * @param draft         drafted tokens, possibly empty (the round then emits one token, as target-only decoding)
     * @param proposals     one distribution per draft token, or an empty list for point masses
     * @param targetAt      the target's distribution for the token at {@code startPosition + i}, given the committed
     *                      tokens and drafts {@code 0..i-1}; called for i = 0..draft.length at most
     * @param startPosition absolute position of the first drafted token
     */
    public static Outcome verify(int[] draft, List<SparseDistribution> proposals, IntFunction<SparseDistribution> targetAt,
                                 long seed, long startPosition) {
        if (!proposals.isEmpty() && proposals.size() != draft.length) {
            throw new IllegalArgumentException(proposals.size() + " proposals for " + draft.length + " drafted tokens");
        }
        int[] out = new int[draft.length + 1];
        for (int i = 0; i < draft.length; i++) {
            SparseDistribution proposal = proposals.isEmpty() ? null : proposals.get(i);
            SpeculativeSampling.Verdict verdict = SpeculativeSampling.verify(targetAt.apply(i), draft[i], proposal, seed, startPosition + i);
            out[i] = verdict.token();
            if (!verdict.accepted()) {
                return new Outcome(Arrays.copyOf(out, i + 1), i);
            }
        }
        out[draft.length] = SpeculativeSampling.sampleTarget(targetAt.apply(draft.length), seed, startPosition + draft.length);
        return new Outcome(out, draft.length);
    }
}
