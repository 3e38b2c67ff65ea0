package io.speculum.math;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Verifies a token tree from one batched decode: from the last committed token down, at each node its children are
 * the candidates for the next position ({@link MultiDraftSampling}); the accepted child becomes the next node, and
 * the walk ends with the first position where no child is accepted (its token is the target's correction) or at a
 * leaf (a bonus token). A chain is the tree whose every node has one child, and then the outcome is
 * {@link ChainVerification}'s, uniform for uniform.
 */
public final class TreeVerification {

    /** The root of a tree: the last committed token, parent of the first position's candidates. */
    public static final int ROOT = -1;

    private TreeVerification() {
    }

    /**
     * @param tokens   what to commit: the accepted nodes' tokens, then the correction or bonus token
     * @param accepted how many nodes were accepted
     * @param path     the accepted nodes' indices, root to leaf
     */
    public record Outcome(int[] tokens, int accepted, int[] path) {

        public Outcome {
            tokens = tokens.clone();
            path = path.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Outcome(int[] t, int a, int[] p) && a == accepted && Arrays.equals(t, tokens) && Arrays.equals(p, path);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(path);
        }

        @Override
        public String toString() {
            return "Outcome" + Arrays.toString(tokens) + " path=" + Arrays.toString(path);
        }
    }

    /**
     * @param tokens        the nodes' tokens, parents before children
     * @param parents       each node's parent index, or {@link #ROOT}
     * @param proposals     per node the distribution it was drawn from (siblings: one distribution, independent draws),
     *                      or empty for point masses (deterministic, distinct siblings)
     * @param targetAt      the target's distribution after node i's token given its path ({@link #ROOT}: after the last
     *                      committed token)
     * @param startPosition absolute position of the first position's candidates (depth 1)
     */
    public static Outcome verify(int[] tokens, int[] parents, List<SparseDistribution> proposals,
                                 IntFunction<SparseDistribution> targetAt, long seed, long startPosition) {
        checkShape(tokens, parents);
        if (!proposals.isEmpty() && proposals.size() != tokens.length) {
            throw new IllegalArgumentException(proposals.size() + " proposals for " + tokens.length + " tree nodes");
        }
        int[] out = new int[depth(parents) + 1];
        int[] path = new int[out.length - 1];
        int node = ROOT;
        for (int depth = 0; ; depth++) {
            int[] children = children(parents, node);
            int[] candidates = new int[children.length];
            for (int i = 0; i < children.length; i++) {
                candidates[i] = tokens[children[i]];
            }
            SparseDistribution proposal = proposals.isEmpty() || children.length == 0 ? null : proposals.get(children[0]);
            MultiDraftSampling.Verdict verdict = MultiDraftSampling.verify(targetAt.apply(node), candidates, proposal, seed,
                    startPosition + depth);
            out[depth] = verdict.token();
            if (verdict.accepted() < 0) {
                return new Outcome(Arrays.copyOf(out, depth + 1), depth, Arrays.copyOf(path, depth));
            }
            node = children[verdict.accepted()];
            path[depth] = node;
        }
    }

    /** The children of {@code node} (or of the root), in index order. */
    public static int[] children(int[] parents, int node) {
        int n = 0;
        int[] children = new int[parents.length];
        for (int i = 0; i < parents.length; i++) {
            if (parents[i] == node) {
                children[n++] = i;
            }
        }
        return Arrays.copyOf(children, n);
    }

    /** The tree's depth: the longest path's node count (0 for no nodes). */
    public static int depth(int[] parents) {
        int[] depth = new int[parents.length];
        int max = 0;
        for (int i = 0; i < parents.length; i++) {
            depth[i] = parents[i] == ROOT ? 1 : depth[parents[i]] + 1;
            max = Math.max(max, depth[i]);
        }
        return max;
    }

    /** A chain as a tree: node i's parent is node i - 1. */
    public static int[] chainParents(int length) {
        int[] parents = new int[length];
        Arrays.setAll(parents, i -> i - 1);
        return parents;
    }

    private static void checkShape(int[] tokens, int[] parents) {
        if (tokens.length != parents.length) {
            throw new IllegalArgumentException(tokens.length + " tokens but " + parents.length + " parents");
        }
        for (int i = 0; i < parents.length; i++) {
            if (parents[i] < ROOT || parents[i] >= i) {
                throw new IllegalArgumentException("node " + i + " has parent " + parents[i] + ": parents must come first");
            }
        }
    }
}
