package io.speculum.verifier;

import io.speculum.llama.SequenceDecode;
import io.speculum.math.SparseDistribution;
import io.speculum.math.TreeVerification;
import io.speculum.protocol.DraftProposal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A drafter's token tree cut to what one verification decode can take: tokens within the vocabulary, branches at most
 * {@code maxDepth} deep, at most {@code maxBranches} leaves and {@code maxNodes} nodes, deterministic siblings
 * distinct. Nodes are kept in the drafter's order, so whether a node is kept depends only on the nodes before it (for
 * sampled siblings this keeps recursive rejection sampling exact: a later candidate is dropped or not whatever its
 * value). Each leaf is a branch, numbered in order; a node belongs to every branch below it.
 */
final class TokenTree {

    private final int[] tokens;
    private final int[] parents;
    private final int[] depths;
    private final List<SparseDistribution> proposals;
    private final int[][] branches;
    private final int leaves;

    private TokenTree(int[] tokens, int[] parents, int[] depths, List<SparseDistribution> proposals) {
        this.tokens = tokens;
        this.parents = parents;
        this.depths = depths;
        this.proposals = proposals;
        boolean[] hasChild = new boolean[tokens.length];
        for (int p : parents) {
            if (p >= 0) {
                hasChild[p] = true;
            }
        }
        List<List<Integer>> sets = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            sets.add(new ArrayList<>());
        }
        int leafCount = 0;
        for (int i = 0; i < tokens.length; i++) {
            if (!hasChild[i]) {
                for (int node = i; node >= 0; node = parents[node]) {
                    sets.get(node).add(leafCount);
                }
                leafCount++;
            }
        }
        this.leaves = leafCount;
        this.branches = sets.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
    }

    static TokenTree usable(DraftProposal proposal, int vocabularySize, int maxDepth, int maxBranches, int maxNodes) {
        int[] tokens = proposal.tokens();
        int[] parents = proposal.parents();
        boolean sampled = !proposal.proposesPointMasses();
        int[] newIndex = new int[tokens.length];
        Arrays.fill(newIndex, -2);
        List<Integer> keptTokens = new ArrayList<>();
        List<Integer> keptParents = new ArrayList<>();
        List<Integer> keptDepths = new ArrayList<>();
        List<SparseDistribution> keptProposals = new ArrayList<>();
        List<List<Integer>> children = new ArrayList<>(); // per kept node, its kept children's tokens
        List<Integer> rootChildren = new ArrayList<>();
        int leaves = 0;
        for (int i = 0; i < tokens.length && keptTokens.size() < maxNodes; i++) {
            int parent = parents[i];
            if (tokens[i] < 0 || tokens[i] >= vocabularySize || parent < TreeVerification.ROOT || parent >= i) {
                continue;
            }
            int keptParent = parent == TreeVerification.ROOT ? TreeVerification.ROOT : newIndex[parent];
            if (keptParent == -2) {
                continue; // its parent was dropped
            }
            int depth = keptParent == TreeVerification.ROOT ? 1 : keptDepths.get(keptParent) + 1;
            List<Integer> siblings = keptParent == TreeVerification.ROOT ? rootChildren : children.get(keptParent);
            if (depth > maxDepth || (!sampled && siblings.contains(tokens[i]))) {
                continue;
            }
            boolean newLeaf = !siblings.isEmpty() || keptParent == TreeVerification.ROOT && siblings.isEmpty() && leaves == 0;
            if (!siblings.isEmpty() && leaves + 1 > maxBranches) {
                continue;
            }
            if (newLeaf) {
                leaves++;
            }
            siblings.add(tokens[i]);
            newIndex[i] = keptTokens.size();
            keptTokens.add(tokens[i]);
            keptParents.add(keptParent);
            keptDepths.add(depth);
            children.add(new ArrayList<>());
            if (sampled) {
                keptProposals.add(proposal.distributions().get(i));
            }
        }
        return new TokenTree(keptTokens.stream().mapToInt(Integer::intValue).toArray(),
                keptParents.stream().mapToInt(Integer::intValue).toArray(),
                keptDepths.stream().mapToInt(Integer::intValue).toArray(), keptProposals);
    }

    /** The chain a tree starts with (each node's first child), for a verifier that verifies chains only. */
    static DraftProposal firstChain(DraftProposal proposal) {
        int[] parents = proposal.parents();
        List<Integer> chain = new ArrayList<>();
        int node = TreeVerification.ROOT;
        for (int i = 0; i < parents.length; i++) {
            if (parents[i] == node) {
                chain.add(i);
                node = i;
            }
        }
        int[] tokens = chain.stream().mapToInt(i -> proposal.tokens()[i]).toArray();
        List<SparseDistribution> distributions = proposal.proposesPointMasses() ? List.of()
                : chain.stream().map(i -> proposal.distributions().get(i)).toList();
        return proposal.withTokens(tokens, distributions);
    }

    /**
     * The decode of the root (the last committed token, at {@code startPosition}, in every branch) and the nodes, each
     * at its depth and in its branches' sequences; {@code sequences[b]} is branch b's sequence, {@code sequences[0]}
     * the session's own.
     */
    SequenceDecode decode(int rootToken, int startPosition, int[] sequences) {
        int n = tokens.length + 1;
        int[] all = new int[n];
        int[] allDepths = new int[n];
        int[][] sets = new int[n][];
        all[0] = rootToken;
        sets[0] = Arrays.copyOf(sequences, leaves);
        for (int i = 0; i < tokens.length; i++) {
            all[i + 1] = tokens[i];
            allDepths[i + 1] = depths[i];
            sets[i + 1] = Arrays.stream(branches[i]).map(b -> sequences[b]).toArray();
        }
        return SequenceDecode.tree(sequences[0], all, startPosition, allDepths, sets);
    }

    /** The lowest-numbered branch through {@code node} (the root: branch 0). */
    int firstBranchThrough(int node) {
        return node == TreeVerification.ROOT ? 0 : branches[node][0];
    }

    int size() {
        return tokens.length;
    }

    int leaves() {
        return leaves;
    }

    int depth() {
        return Arrays.stream(depths).max().orElse(0);
    }

    int[] tokens() {
        return tokens.clone();
    }

    int[] parents() {
        return parents.clone();
    }

    List<SparseDistribution> proposals() {
        return proposals;
    }
}
