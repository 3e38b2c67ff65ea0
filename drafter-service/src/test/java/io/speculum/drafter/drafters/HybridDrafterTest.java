package io.speculum.drafter.drafters;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.math.SamplingParams;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.GenerationState;
import io.speculum.protocol.Successors;
import java.util.List;
import org.junit.jupiter.api.Test;

class HybridDrafterTest {

    private final SuccessorTable table = new SuccessorTable(64, 4);
    private final HybridDrafter drafter = new HybridDrafter("fp", table, 16);

    @Test
    void itFollowsTheSourceTheTargetAgreesWith() {
        table.learn(List.of(new Successors(11, new int[] {20}), new Successors(20, new int[] {21}), new Successors(21, new int[] {22})));
        // both sources can propose; with no evidence yet the context match goes first
        int[] first = {10, 11, 12, 10, 11};
        assertThat(propose(first, 8)).containsExactly(12, 10, 11);

        // the target went the statistical way (20 21), then 10 11 again: the context's 12 was wrong
        int[] second = {10, 11, 12, 10, 11, 20, 21, 10, 11};
        int[] draft = propose(second, 8);
        double[] acceptance = drafter.acceptance("r");
        assertThat(acceptance[0]).as("context").isLessThan(0.5);
        assertThat(acceptance[1]).as("statistical").isGreaterThan(0.5);
        // the context would propose 20 21 10 11, but the statistical source has earned the turn, shallow
        assertThat(draft).containsExactly(20, 21, 22);
        assertThat(draft.length).isLessThanOrEqualTo(HybridDrafter.STATISTICAL_DEPTH);
    }

    @Test
    void whenOneSourceIsSilentTheOtherDraftsAndReleaseForgetsTheRequest() {
        assertThat(propose(new int[] {1, 2, 3}, 4)).isEmpty();
        table.update(3, new int[] {4});
        table.update(4, new int[] {5});
        assertThat(propose(new int[] {1, 2, 3}, 4)).containsExactly(4, 5);
        assertThat(propose(new int[] {1, 2, 3, 4, 5, 1, 2}, 4)).as("a context match, no table row for 2").containsExactly(3, 4, 5, 1);
        assertThat(drafter.trackedRequests()).isEqualTo(1);
        drafter.release("r").join();
        assertThat(drafter.trackedRequests()).isZero();
    }

    @Test
    void askedForATreeItAddsTheOtherRecycledCandidatesAsShallowBranchesBesideTheChain() {
        table.update(11, new int[] {12, 30, 40});
        table.update(30, new int[] {31});
        table.update(31, new int[] {32});
        table.update(32, new int[] {33});
        GenerationState state = new GenerationState("t", 1, "replies", "m", "fp", 1, new int[] {10, 11, 12, 13, 10, 11}, 64,
                SamplingParams.greedy(), null, null, 0, 0);
        Draft tree = drafter.propose(new DraftRequest(state, 8, HybridDrafter.NAME, 0, List.of(), 3)).join();
        // the context chain 12 13 10 11 first, then 30 (31 32: at most three deep) and 40 beside its first token
        assertThat(tree.tokens()).containsExactly(12, 13, 10, 11, 30, 31, 32, 40);
        assertThat(tree.parents()).containsExactly(-1, 0, 1, 2, -1, 4, 5, -1);
    }

    private int[] propose(int[] tokens, int k) {
        GenerationState state = new GenerationState("r", 1, "replies", "m", "fp", 1, tokens, 64, SamplingParams.greedy(), null, null, 0, 0);
        return drafter.propose(new DraftRequest(state, k, HybridDrafter.NAME, 0)).join().tokens();
    }
}
