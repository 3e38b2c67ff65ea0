package io.speculum.verifier;

import io.speculum.generation.TokenLogprobs;
import io.speculum.llama.SequenceLogits;
import io.speculum.llama.Vocabulary;
import io.speculum.math.Penalties;
import io.speculum.math.SparseDistribution;
import io.speculum.math.TokenSampler;
import io.speculum.math.TreeVerification;
import io.speculum.protocol.GenerationEvent.TokenLogprob;
import io.speculum.protocol.GenerationState;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * What one decode's logits rows say for a session: the target's distributions to verify against, after the request's
 * logit bias and penalties (whose counts include the earlier draft tokens of the chain or tree branch, as if the
 * target had produced them), and the raw log-probabilities of the committed tokens when the request asked for them.
 */
final class TargetRows {

    private TargetRows() {
    }

    /** The target's distribution at draft position {@code i} of a chain (i = draft length: the bonus position). */
    static IntFunction<SparseDistribution> chain(GenerationState state, Penalties penalties, SequenceLogits logits, int[] draft) {
        if (penalties.changesNothing()) {
            return i -> TokenSampler.distribution(logits.at(i), state.sampling());
        }
        int[] context = concat(state.tokens(), draft);
        int committed = state.tokens().length;
        return i -> TokenSampler.distribution(penalties.apply(logits.at(i), context, committed + i, state.promptLength()),
                state.sampling());
    }

    /** The target's distribution after tree node {@code node} ({@link TreeVerification#ROOT}: the first position). */
    static IntFunction<SparseDistribution> tree(GenerationState state, Penalties penalties, SequenceLogits logits,
                                                int[] tokens, int[] parents) {
        return node -> {
            float[] row = logits.at(node + 1);
            if (penalties.changesNothing()) {
                return TokenSampler.distribution(row, state.sampling());
            }
            int depth = 0;
            for (int n = node; n != TreeVerification.ROOT; n = parents[n]) {
                depth++;
            }
            int[] context = Arrays.copyOf(state.tokens(), state.tokens().length + depth);
            for (int n = node, at = context.length - 1; n != TreeVerification.ROOT; n = parents[n], at--) {
                context[at] = tokens[n];
            }
            return TokenSampler.distribution(penalties.apply(row, context, context.length, state.promptLength()), state.sampling());
        };
    }

    /** The first token's distribution after the prompt's prefill. */
    static SparseDistribution first(GenerationState state, Penalties penalties, float[] row) {
        return TokenSampler.distribution(penalties.apply(row, state.tokens(), state.tokens().length, state.promptLength()),
                state.sampling());
    }

    /**
     * The committed tokens' log-probabilities, or null when the request did not ask for them.
     *
     * @param rowOf the logits row committed token {@code i} was drawn from
     */
    static List<TokenLogprob> logprobs(Integer top, Vocabulary vocabulary, int[] committed, IntFunction<float[]> rowOf) {
        return top == null ? null : TokenLogprobs.of(vocabulary, committed, rowOf, top);
    }

    /** The rows a tree round's committed tokens were drawn from: the root's, then each accepted node's. */
    static IntFunction<float[]> treePathRows(SequenceLogits logits, int[] path) {
        return depth -> logits.at(depth == 0 ? 0 : path[depth - 1] + 1);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
