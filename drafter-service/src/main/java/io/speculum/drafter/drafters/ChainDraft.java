package io.speculum.drafter.drafters;

import io.speculum.math.SamplingParams;
import io.speculum.math.SeededUniform;
import io.speculum.math.SparseDistribution;
import io.speculum.math.TokenSampler;
import io.speculum.math.TokenStatistics;
import io.speculum.protocol.GenerationState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One request's draft chain as a model drafter builds it, a token per decode: what it must decode next (first the
 * suffix its KV sequence lacks, then each drafted token), and what it drafted. Batched drafting steps many of these
 * through one decode each. Chains have adaptive length: drafting stops when the drafter's own top probability falls
 * below the request's threshold (llama.cpp's {@code p_min}). A greedy request drafts the argmax as a point mass; a
 * sampled one draws from the drafter's own distribution with the uniform for (seed, position,
 * {@link ModelDrafter#STREAM_DRAFT}) and keeps that distribution (speculative sampling needs q to stay exact).
 * With {@code siblings} > 0 it is a tree: that many uncertain positions also get their second candidate as a leaf.
 */
final class ChainDraft {

    final String requestId;
    final CompletableFuture<Draft> future = new CompletableFuture<>();
    private final GenerationState state;
    private final int k;
    private final double minProbability;
    private final int siblings;
    private final boolean greedy;
    private final SamplingParams sampling;
    long startedMicros;
    SequenceSlots.Slot slot;
    /** Tokens still to decode before the next logits, starting at {@link #pendingFrom}. */
    private int[] pending = new int[0];
    private int pendingFrom;

    private final int[] drafted;
    private int n;
    private final List<SparseDistribution> distributions = new ArrayList<>();
    // a tree: the chain's nodes, each a child of the one before, and second candidates as leaves beside them
    private final List<Integer> nodes = new ArrayList<>();
    private final List<Integer> parents = new ArrayList<>();
    private final List<SparseDistribution> nodeDistributions = new ArrayList<>();
    private int siblingsLeft;
    private int chainTail = -1;

    ChainDraft(GenerationState state, int k, int siblings) {
        this.requestId = state.requestId();
        this.state = state;
        this.k = k;
        this.minProbability = state.speculation().minProbability();
        this.siblings = siblings;
        this.siblingsLeft = siblings;
        this.sampling = state.sampling();
        this.greedy = sampling.temperature() <= 0;
        this.drafted = new int[k];
    }

    int[] tokens() {
        return state.tokens();
    }

    /** The sequence holds the first {@code cached} tokens: decode the rest (at least the last, for its logits). */
    void startAfter(int cached) {
        int[] tokens = state.tokens();
        pendingFrom = Math.min(cached, tokens.length - 1);
        pending = Arrays.copyOfRange(tokens, pendingFrom, tokens.length);
    }

    /** Where the decode of what is pending starts: the sequence must be cut back to this. */
    int pendingFrom() {
        return pendingFrom;
    }

    int pendingTokens() {
        return pending.length;
    }

    /**
     * Takes up to {@code budget} pending tokens for this step's decode; returns them (their positions start at the
     * {@link #pendingFrom} read before this call). The chain wants logits when it took its last pending token.
     */
    int[] take(int budget) {
        int m = Math.min(budget, pending.length);
        int[] step = Arrays.copyOf(pending, m);
        pending = Arrays.copyOfRange(pending, m, pending.length);
        pendingFrom += m;
        return step;
    }

    /**
     * The logits after the last pending token: drafts the next token. Returns true when the chain is done (k tokens,
     * or the drafter too unsure); otherwise the drafted token is pending for the next step.
     */
    boolean accept(float[] logits) {
        int position = state.tokens().length + n;
        int token;
        double topProbability;
        SparseDistribution q = null;
        if (greedy) {
            token = TokenSampler.argmax(logits);
            topProbability = Math.exp(TokenStatistics.logProbability(logits, token));
        } else {
            q = TokenSampler.distribution(logits, sampling);
            token = TokenSampler.sample(q, SeededUniform.at(sampling.seed(), position, ModelDrafter.STREAM_DRAFT));
            topProbability = q.probAt(0);
        }
        if (topProbability < minProbability) {
            return true;
        }
        if (q != null) {
            distributions.add(q);
        }
        int parent = chainTail;
        nodes.add(token);
        parents.add(parent);
        nodeDistributions.add(q);
        chainTail = nodes.size() - 1;
        // decided from the distribution only, never from the draws: sampled siblings stay independent draws
        if (siblingsLeft > 0 && topProbability < ModelDrafter.SIBLING_BELOW) {
            int second = greedy ? TokenStatistics.topN(logits, 2).idAt(1)
                    : TokenSampler.sample(q, SeededUniform.at(sampling.seed(), position, ModelDrafter.STREAM_DRAFT_SIBLING));
            if (!greedy || second != token) {
                nodes.add(second);
                parents.add(parent);
                nodeDistributions.add(q);
                siblingsLeft--;
            }
        }
        drafted[n++] = token;
        if (n == k) {
            return true;
        }
        pending = new int[] {token};
        pendingFrom = position;
        return false;
    }

    /** Tokens the sequence holds once this chain is done: the state and every drafted token but the last. */
    int[] cachedAfter() {
        int[] tokens = state.tokens();
        int[] all = Arrays.copyOf(tokens, tokens.length + Math.max(0, n - 1));
        System.arraycopy(drafted, 0, all, tokens.length, Math.max(0, n - 1));
        return all;
    }

    Draft result() {
        if (siblings == 0) {
            return new Draft(Arrays.copyOf(drafted, n), distributions, null, startedMicros);
        }
        return new Draft(nodes.stream().mapToInt(Integer::intValue).toArray(), greedy ? List.of() : nodeDistributions,
                parents.stream().mapToInt(Integer::intValue).toArray(), startedMicros);
    }
}
