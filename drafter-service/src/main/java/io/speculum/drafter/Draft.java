package io.speculum.drafter;

import io.speculum.math.SparseDistribution;
import java.util.List;

/**
 * Proposed tokens, with the distribution each was drawn from when the drafter sampled (empty for point masses),
 * and for a token tree each token's parent index (-1: a child of the last committed token; null for a chain).
 */
public record Draft(int[] tokens, List<SparseDistribution> distributions, int[] parents) {

    public Draft {
        tokens = tokens.clone();
        distributions = List.copyOf(distributions);
        parents = parents == null ? null : parents.clone();
        if (!distributions.isEmpty() && distributions.size() != tokens.length) {
            throw new IllegalArgumentException(distributions.size() + " distributions for " + tokens.length + " tokens");
        }
        if (parents != null && parents.length != tokens.length) {
            throw new IllegalArgumentException(parents.length + " parents for " + tokens.length + " tokens");
        }
    }

    /** A chain. */
    public Draft(int[] tokens, List<SparseDistribution> distributions) {
        this(tokens, distributions, null);
    }

    public static Draft empty() {
        return new Draft(new int[0], List.of());
    }
}
