package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.speculum.math.SparseDistribution;
import java.util.List;
import java.util.Objects;

/**
 * Drafter to verifier: draft tokens continuing the generation's first {@code basis} tokens, with the drafter's
 * proposal distribution per token (truncated and renormalised) when it sampled them; null or empty distributions
 * mean point masses (a greedy or deterministic drafter). A drafter that cannot propose says why in {@code error}.
 *
 * @param requestId  the generation's id
 * @param round      the round of the draft request answered
 * @param basis      how many of the generation's tokens the draft continues (the verifier drops a proposal whose
 *                   basis is not its committed length), {@code assumed} included
 * @param vocabulary the drafter's vocabulary fingerprint; the verifier refuses a proposal whose vocabulary differs
 * @param timing     when the round passed each stage (for the hop breakdown); optional
 * @param parents    for a token tree, each token's parent index in {@code tokens} (-1: a child of the last committed
 *                   token), parents first; absent or empty for a chain. Siblings are candidates for the same position:
 *                   distinct when deterministic, independent draws from one distribution when sampled
 * @param assumed    a pre-draft's assumption: the last tokens of {@code basis}, which the verifier had not committed
 *                   when it asked (the draft it was verifying, and the drafter's guess of the token after it); the
 *                   verifier uses the proposal only where its committed tokens end with exactly these. Empty for a
 *                   draft that continues committed tokens only
 */
public record DraftProposal(
        String requestId,
        int round,
        int basis,
        String drafter,
        String vocabulary,
        int[] tokens,
        List<SparseDistribution> distributions,
        ProtocolError error,
        DraftTiming timing,
        int[] parents,
        int[] assumed) {

    public DraftProposal {
        Objects.requireNonNull(requestId, "requestId");
        tokens = tokens == null ? new int[0] : tokens;
        assumed = assumed == null ? new int[0] : assumed;
        parents = parents == null ? new int[0] : parents;
        if (parents.length != 0 && parents.length != tokens.length) {
            throw new IllegalArgumentException(parents.length + " parents for " + tokens.length + " draft tokens");
        }
        distributions = distributions == null ? List.of() : List.copyOf(distributions);
        if (!distributions.isEmpty() && distributions.size() != tokens.length) {
            throw new IllegalArgumentException(distributions.size() + " distributions for " + tokens.length + " draft tokens");
        }
    }

    /** This proposal with its timing's {@code sent} stamped now (the drafter hands it to its producer). */
    public DraftProposal sentNow() {
        return timing == null ? this : new DraftProposal(requestId, round, basis, drafter, vocabulary, tokens, distributions, error,
                timing.withSent(DraftTiming.nowMicros()), parents, assumed);
    }

    /** A chain proposal (no tree) answering {@code request}. */
    public DraftProposal(DraftRequest request, String drafter, String vocabulary, int[] tokens,
                         List<SparseDistribution> distributions, DraftTiming timing) {
        this(request.requestId(), request.round(), request.basis(), drafter, vocabulary, tokens, distributions, null, timing, null,
                null);
    }

    /** A proposal without an assumption (continuing committed tokens only). */
    public DraftProposal(String requestId, int round, int basis, String drafter, String vocabulary, int[] tokens,
                         List<SparseDistribution> distributions, ProtocolError error, DraftTiming timing, int[] parents) {
        this(requestId, round, basis, drafter, vocabulary, tokens, distributions, error, timing, parents, null);
    }

    /** A pre-draft: usable only once the verifier's committed tokens end with {@link #assumed}. */
    @JsonIgnore
    public boolean isPredraft() {
        return assumed.length > 0;
    }

    /** Whether this draft continues exactly {@code committed} (its basis and assumption hold). */
    public boolean continues(int[] committed) {
        int n = committed.length;
        return basis == n && assumed.length <= n
                && java.util.Arrays.equals(assumed, 0, assumed.length, committed, n - assumed.length, n);
    }

    /** A token tree rather than a chain. */
    @JsonIgnore
    public boolean isTree() {
        return parents.length > 0;
    }

    public boolean proposesPointMasses() {
        return distributions.isEmpty();
    }

    /** The same proposal with other tokens (a tree cut down to a chain). */
    public DraftProposal withTokens(int[] chain, List<SparseDistribution> chainDistributions) {
        return new DraftProposal(requestId, round, basis, drafter, vocabulary, chain, chainDistributions, error, timing, null,
                assumed);
    }

    public static DraftProposal failed(DraftRequest request, String drafter, String vocabulary, ProtocolError error,
                                       DraftTiming timing) {
        return new DraftProposal(request.requestId(), request.round(), request.basis(), drafter, vocabulary, new int[0],
                List.of(), error, timing, null, null);
    }
}
