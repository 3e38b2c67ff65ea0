package io.speculum.drafter;

import io.speculum.llama.DecodeBatch;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.InferenceEngine;
import io.speculum.llama.Model;
import io.speculum.math.TokenStatistics;
import io.speculum.math.SamplingParams;
import io.speculum.math.SeededUniform;
import io.speculum.math.SparseDistribution;
import io.speculum.math.TokenSampler;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.GenerationState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Drafts with a small model that shares the verifier's vocabulary (a separately trained sibling, or one derived with
 * {@code DrafterDeriver}). Chains have adaptive length: drafting stops when the drafter's own top probability falls
 * below the request's threshold (llama.cpp's {@code p_min}, Kangaroo's early exit), since such tokens are rarely
 * accepted and each costs a decode.
 *
 * <p>When the request samples, each token is drawn from the drafter's own distribution after the request's
 * temperature and truncation, with the uniform for (seed, position, {@link #STREAM_DRAFT}), and that distribution is
 * sent along: speculative sampling needs q to stay exact. Greedy requests get the argmax as a point mass.
 *
 * <p>The whole chain runs as one task on the engine's thread, with direct use of the context: a drafter's decodes
 * are sequential by nature, and this avoids a thread hand-off per drafted token.
 */
public final class ModelDrafter implements Drafter {

    /** The uniform stream drafters sample with, independent of the verifier's streams. */
    public static final int STREAM_DRAFT = 3;
    /** The stream of a tree's second candidate at a position: an independent draw from the same distribution. */
    public static final int STREAM_DRAFT_SIBLING = 4;
    /**
     * In a tree, a position whose top probability is below this also gets the second candidate, as a leaf: where the
     * drafter hesitates a second guess is often right, and it costs one more token in the verifier's decode and no
     * drafter decode at all (DySpec's observation: widen where the draft distribution is flat).
     */
    public static final double SIBLING_BELOW = 0.8;

    private final String name;
    private final InferenceEngine engine;
    private final String vocabulary;
    private final SequenceSlots slots;

    /** How long a request's KV sequence stays cached without a draft request, when no release arrives. */
    public static final Duration DEFAULT_IDLE_RELEASE = Duration.ofSeconds(5);

    public ModelDrafter(String name, Model model, InferenceEngine engine) {
        this(name, model, engine, DEFAULT_IDLE_RELEASE);
    }

    public ModelDrafter(String name, Model model, InferenceEngine engine, Duration idleRelease) {
        this.name = name;
        this.engine = engine;
        this.vocabulary = model.vocabulary().fingerprint().toString();
        this.slots = new SequenceSlots(engine.maxSequences(), idleRelease.toNanos());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String vocabulary() {
        return vocabulary;
    }

    @Override
    public CompletableFuture<Draft> propose(DraftRequest request) {
        GenerationState state = request.state();
        int room = engine.positionLimit() - state.tokens().length;
        int k = Math.min(request.maxDraftTokens(), room);
        if (k <= 0) {
            return CompletableFuture.completedFuture(Draft.empty());
        }
        int siblings = Math.max(0, request.maxBranches() - 1);
        return engine.submit(context -> draft(context, state, k, state.speculation().minProbability(), siblings));
    }

    @Override
    public CompletableFuture<Void> release(String requestId) {
        return engine.submit(context -> {
            int sequence = slots.release(requestId);
            if (sequence >= 0) {
                context.truncate(sequence, 0);
            }
            return null;
        });
    }

    /** Requests whose KV sequence is cached now (read on the engine's thread). */
    public CompletableFuture<Integer> cachedRequests() {
        return engine.submit(context -> slots.cachedRequests());
    }

    /** A chain of up to k tokens; with {@code siblings} > 0 a tree: that many uncertain positions get a second candidate. */
    private Draft draft(InferenceContext context, GenerationState state, int k, double minProbability, int siblings) {
        int[] tokens = state.tokens();
        long now = System.nanoTime();
        for (int sequence : slots.expire(now)) {
            context.truncate(sequence, 0);
        }
        SequenceSlots.Slot slot = slots.acquire(state.requestId(), now);
        // reuse the cached common prefix; at least the last token is decoded again, for its logits
        int start = Math.min(slot.commonPrefix(tokens), tokens.length - 1);
        context.truncate(slot.sequence, start);
        DecodeBatch batch = new DecodeBatch(Math.max(16, tokens.length - start));
        int row = decodeChunked(context, batch, slot.sequence, tokens, start);
        slot.cached = tokens;

        SamplingParams sampling = state.sampling();
        boolean greedy = sampling.temperature() <= 0;
        int[] drafted = new int[k];
        List<SparseDistribution> distributions = new ArrayList<>();
        // a tree: the chain's nodes, each a child of the one before, and second candidates as leaves beside them
        List<Integer> nodes = new ArrayList<>();
        List<Integer> parents = new ArrayList<>();
        List<SparseDistribution> nodeDistributions = new ArrayList<>();
        int siblingsLeft = siblings;
        int chainTail = -1; // the last chain node: parent of the next position's candidates
        int n = 0;
        float[] logits = new float[context.vocabularySize()];
        while (true) {
            context.copyLogits(row, logits);
            int position = tokens.length + n;
            int token;
            double topProbability;
            SparseDistribution q = null;
            if (greedy) {
                token = TokenSampler.argmax(logits);
                topProbability = Math.exp(TokenStatistics.logProbability(logits, token));
            } else {
                q = TokenSampler.distribution(logits, sampling);
                token = TokenSampler.sample(q, SeededUniform.at(sampling.seed(), position, STREAM_DRAFT));
                topProbability = q.probAt(0);
                distributions.add(q);
            }
            if (topProbability < minProbability) {
                if (!greedy) {
                    distributions.removeLast();
                }
                break;
            }
            int parent = chainTail;
            nodes.add(token);
            parents.add(parent);
            nodeDistributions.add(q);
            chainTail = nodes.size() - 1;
            // decided from the distribution only, never from the draws: sampled siblings stay independent draws
            if (siblingsLeft > 0 && topProbability < SIBLING_BELOW) {
                int second = greedy ? TokenStatistics.topN(logits, 2).idAt(1)
                        : TokenSampler.sample(q, SeededUniform.at(sampling.seed(), position, STREAM_DRAFT_SIBLING));
                if (!greedy || second != token) {
                    nodes.add(second);
                    parents.add(parent);
                    nodeDistributions.add(q);
                    siblingsLeft--;
                }
            }
            drafted[n++] = token;
            if (n == k) {
                break;
            }
            batch.clear();
            row = batch.add(token, position, slot.sequence, true);
            context.decode(batch);
            slot.cached = append(slot.cached, token);
        }
        if (siblings == 0) {
            return new Draft(Arrays.copyOf(drafted, n), distributions);
        }
        return new Draft(nodes.stream().mapToInt(Integer::intValue).toArray(), greedy ? List.of() : nodeDistributions,
                parents.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Decodes tokens[start..] in batch-sized chunks; returns the batch row of the last token's logits. */
    private static int decodeChunked(InferenceContext context, DecodeBatch batch, int sequence, int[] tokens, int start) {
        int row = -1;
        for (int from = start; from < tokens.length; from += context.batchSize()) {
            int to = Math.min(tokens.length, from + context.batchSize());
            batch.clear();
            batch.addSequence(sequence, Arrays.copyOfRange(tokens, from, to), from, false);
            context.decode(batch);
            row = batch.size() - 1;
        }
        return row;
    }

    private static int[] append(int[] tokens, int token) {
        int[] out = Arrays.copyOf(tokens, tokens.length + 1);
        out[tokens.length] = token;
        return out;
    }

    @Override
    public void close() {
        engine.close();
    }
}
