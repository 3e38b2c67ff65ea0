package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.speculum.math.SparseDistribution;
import java.util.List;

/**
 * Drafter to verifier: draft tokens continuing {@code state.tokens()}, with the drafter's proposal distribution per
 * token (truncated and renormalised) when it sampled them; null or empty distributions mean point masses (a greedy
 * or deterministic drafter). A drafter that cannot propose says why in {@code error}.
 *
 * @param vocabulary the drafter's vocabulary fingerprint; the verifier refuses a proposal whose vocabulary differs
 * @param parents    for a token tree, each token's parent index in {@code tokens} (-1: a child of the last committed
 *                   token), parents first; absent or empty for a chain. Siblings are candidates for the same position:
 *                   distinct when deterministic, independent draws from one distribution when sampled
 */
public record DraftProposal(
        GenerationState state,
        String drafter,
        String vocabulary,
        int[] tokens,
        List<SparseDistribution> distributions,
        double draftMillis,
        ProtocolError error,
        long sentAtMillis,
        int[] parents) {

    public DraftProposal {
        tokens = tokens == null ? new int[0] : tokens;
        parents = parents == null ? new int[0] : parents;
        if (parents.length != 0 && parents.length != tokens.length) {
            throw new IllegalArgumentException(parents.length + " parents for " + tokens.length + " draft tokens");
        }
        distributions = distributions == null ? List.of() : List.copyOf(distributions);
        if (!distributions.isEmpty() && distributions.size() != tokens.length) {
            throw new IllegalArgumentException(distributions.size() + " distributions for " + tokens.length + " draft tokens");
        }
    }

    /** A chain proposal (no tree). */
    public DraftProposal(GenerationState state, String drafter, String vocabulary, int[] tokens, List<SparseDistribution> distributions,
                         double draftMillis, ProtocolError error, long sentAtMillis) {
        this(state, drafter, vocabulary, tokens, distributions, draftMillis, error, sentAtMillis, null);
    }

    /** A token tree rather than a chain. */
    @JsonIgnore
    public boolean isTree() {
        return parents.length > 0;
    }

    public boolean proposesPointMasses() {
        return distributions.isEmpty();
    }

    public static DraftProposal failed(GenerationState state, String drafter, String vocabulary, ProtocolError error) {
        return new DraftProposal(state, drafter, vocabulary, new int[0], List.of(), 0, error, System.currentTimeMillis());
    }
}
