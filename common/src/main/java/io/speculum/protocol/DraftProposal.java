package io.speculum.protocol;

import io.speculum.math.SparseDistribution;
import java.util.List;

/**
 * Drafter to verifier: draft tokens continuing {@code state.tokens()}, with the drafter's proposal distribution per
 * token (truncated and renormalised) when it sampled them; null or empty distributions mean point masses (a greedy
 * or deterministic drafter). A drafter that cannot propose says why in {@code error}.
 *
 * @param vocabulary the drafter's vocabulary fingerprint; the verifier refuses a proposal whose vocabulary differs
 */
public record DraftProposal(
        GenerationState state,
        String drafter,
        String vocabulary,
        int[] tokens,
        List<SparseDistribution> distributions,
        double draftMillis,
        ProtocolError error,
        long sentAtMillis) {

    public DraftProposal {
        tokens = tokens == null ? new int[0] : tokens;
        distributions = distributions == null ? List.of() : List.copyOf(distributions);
        if (!distributions.isEmpty() && distributions.size() != tokens.length) {
            throw new IllegalArgumentException(distributions.size() + " distributions for " + tokens.length + " draft tokens");
        }
    }

    public boolean proposesPointMasses() {
        return distributions.isEmpty();
    }

    public static DraftProposal failed(GenerationState state, String drafter, String vocabulary, ProtocolError error) {
        return new DraftProposal(state, drafter, vocabulary, new int[0], List.of(), 0, error, System.currentTimeMillis());
    }
}
