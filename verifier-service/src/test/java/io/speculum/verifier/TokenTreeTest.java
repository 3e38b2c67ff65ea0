package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.llama.SequenceDecode;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.DraftProposal;
import io.speculum.protocol.GenerationState;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenTreeTest {

    private static final GenerationState STATE = new GenerationState("r", 1, "replies", "m", "fp", 1, new int[] {1, 2}, 16,
            SamplingParams.greedy(), null, null, 0, 0);

    private static DraftProposal proposal(int[] tokens, int[] parents) {
        return new DraftProposal(STATE.requestId(), STATE.round(), STATE.tokens().length, "recycling", "fp", tokens, List.of(),
                null, null, parents);
    }

    @Test
    void branchesAreLeavesAndSharedNodesBelongToAllOfThem() {
        // root -> 10 -> 11 -> 12 ; 10 -> 13 ; root -> 20
        TokenTree tree = TokenTree.usable(proposal(new int[] {10, 11, 12, 13, 20}, new int[] {-1, 0, 1, 0, -1}), 100, 8, 4, 63);
        assertThat(tree.size()).isEqualTo(5);
        assertThat(tree.leaves()).isEqualTo(3);
        assertThat(tree.depth()).isEqualTo(3);
        SequenceDecode decode = tree.decode(2, 7, new int[] {0, 5, 6});
        assertThat(decode.tokens()).containsExactly(2, 10, 11, 12, 13, 20);
        assertThat(decode.position(0)).isEqualTo(7);
        assertThat(decode.position(3)).isEqualTo(10);
        assertThat(decode.branches()[0]).containsExactly(0, 5, 6); // the root: every branch
        assertThat(decode.branches()[1]).containsExactly(0, 5);    // 10: above leaves 12 and 13
        assertThat(decode.branches()[3]).containsExactly(0);       // 12: branch 0
        assertThat(decode.branches()[4]).containsExactly(5);       // 13
        assertThat(decode.branches()[5]).containsExactly(6);       // 20
        assertThat(tree.firstBranchThrough(3)).isEqualTo(1);
        assertThat(tree.firstBranchThrough(-1)).isZero();
    }

    @Test
    void whatDoesNotFitIsCutInOrderAndDescendantsGoWithTheirParents() {
        int[] tokens = {10, 11, 12, 20, 21, 30, 10, 999};
        int[] parents = {-1, 0, 1, -1, 3, -1, -1, 0};
        // at most 2 branches, 2 deep: 12 is too deep, 30 would be a third branch (and 21 its... no: 21 is under 20),
        // the second 10 repeats a deterministic sibling, 999 is outside the vocabulary
        TokenTree tree = TokenTree.usable(proposal(tokens, parents), 100, 2, 2, 63);
        assertThat(tree.tokens()).containsExactly(10, 11, 20, 21);
        assertThat(tree.parents()).containsExactly(-1, 0, -1, 2);
        assertThat(tree.leaves()).isEqualTo(2);
        assertThat(TokenTree.usable(proposal(tokens, parents), 100, 8, 8, 3).size()).as("node budget").isEqualTo(3);
    }

    @Test
    void aChainVerifierTakesTheTreesFirstChain() {
        DraftProposal chain = TokenTree.firstChain(proposal(new int[] {10, 20, 11, 12}, new int[] {-1, -1, 0, 2}));
        assertThat(chain.tokens()).containsExactly(10, 11, 12);
        assertThat(chain.isTree()).isFalse();
    }
}
