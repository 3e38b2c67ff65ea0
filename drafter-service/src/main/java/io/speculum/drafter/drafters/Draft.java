package io.speculum.drafter.drafters;

import io.speculum.math.SparseDistribution;
import java.util.List;

/**
 * Proposed tokens, with the distribution each was drawn from when the drafter sampled (empty for point masses),
 * and for a token tree each token's parent index (-1: a child of the last committed token; null for a chain).
 *
 * @param startedMicros when drafting began, µs since the epoch (0: when the drafter was called; a drafter that
 *                      waits for its model, or for a batch to form, stamps the start of its own work)
 */
public record Draft(int[] tokens, List<SparseDistribution> distributions, int[] parents, long startedMicros) {

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

    /** A tree, or a chain when {@code parents} is null. */
    public Draft(int[] tokens, List<SparseDistribution> distributions, int[] parents) {
        this(tokens, distributions, parents, 0);
    }

    /** A chain. */
    public Draft(int[] tokens, List<SparseDistribution> distributions) {
        this(tokens, distributions, null, 0);
    }

    public static Draft empty() {
        return new Draft(new int[0], List.of());
    }

    /** The same draft, stamped with when drafting began. */
    public Draft startedAt(long micros) {
        return new Draft(tokens, distributions, parents, micros);
    }
}
