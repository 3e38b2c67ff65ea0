package io.speculum.verifier;

import io.speculum.math.AcceptanceEstimate;
import java.util.HashMap;
import java.util.Map;

/**
 * What a verifier has learnt about each drafter across generations, as the starting point of a new generation's own
 * estimate: a drafter known to be useless is not tried for a round or two in every request, a good one drafts long
 * from the start. It remembers longer than a generation does (decay 0.98 per round). Thread-safe.
 */
final class DrafterPriors {

    private static final double DECAY = 0.98;
    private final Map<String, AcceptanceEstimate> acceptance = new HashMap<>();

    /** The acceptance rate a new generation starts from for {@code drafter} (even odds for an unknown one). */
    synchronized double alpha(String drafter) {
        AcceptanceEstimate estimate = acceptance.get(drafter);
        return estimate == null ? AcceptanceEstimate.standard().alpha() : estimate.alpha();
    }

    synchronized void observe(String drafter, int drafted, int accepted) {
        acceptance.computeIfAbsent(drafter, d -> new AcceptanceEstimate(0.5, 2, DECAY)).observe(drafted, accepted);
    }
}
