package io.speculum.drafter;

import io.speculum.math.SparseDistribution;
import java.util.List;

/**
 * Proposed tokens, with the distribution each was drawn from when the drafter sampled (empty for point masses).
 */
public record Draft(int[] tokens, List<SparseDistribution> distributions) {

    public Draft {
        tokens = tokens.clone();
        distributions = List.copyOf(distributions);
        if (!distributions.isEmpty() && distributions.size() != tokens.length) {
            throw new IllegalArgumentException(distributions.size() + " distributions for " + tokens.length + " tokens");
        }
    }

    public static Draft empty() {
        return new Draft(new int[0], List.of());
    }
}
