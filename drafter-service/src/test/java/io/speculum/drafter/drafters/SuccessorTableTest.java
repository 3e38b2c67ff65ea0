package io.speculum.drafter.drafters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speculum.math.SamplingParams;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.GenerationState;
import io.speculum.protocol.Successors;
import java.util.List;
import org.junit.jupiter.api.Test;

class SuccessorTableTest {

    @Test
    void theLatestCandidatesReplaceOlderOnesAndRowsKeepAtMostTheWidth() {
        SuccessorTable table = new SuccessorTable(16, 2);
        table.update(5, new int[] {1, 2, 3});
        assertThat(table.successors(5)).containsExactly(1, 2);
        table.update(5, new int[] {7});
        assertThat(table.successors(5)).containsExactly(7);
        table.update(5, new int[0]); // nothing learnt: the row stays
        assertThat(table.successors(5)).containsExactly(7);
        assertThat(table.successors(6)).isEmpty();
    }

    @Test
    void memoryIsBoundedByEvictingTheLeastRecentlyUsedRow() {
        SuccessorTable table = new SuccessorTable(3, 4);
        for (int token = 0; token < 3; token++) {
            table.update(token, new int[] {token + 100});
        }
        table.successors(0); // 0 used recently; 1 is now the eldest
        table.update(9, new int[] {1});
        assertThat(table.size()).isEqualTo(3);
        assertThat(table.successors(1)).isEmpty();
        assertThat(table.successors(0)).containsExactly(100);
        assertThat(table.successors(9)).containsExactly(1);
    }

    @Test
    void chainsFollowTheBestCandidateUntilTheTableKnowsNothing() {
        SuccessorTable table = new SuccessorTable(16, 4);
        table.learn(List.of(new Successors(1, new int[] {2, 8}), new Successors(2, new int[] {3}), new Successors(3, new int[] {1})));
        assertThat(table.chain(1, 2)).containsExactly(2, 3);
        assertThat(table.chain(1, 5)).containsExactly(2, 3, 1, 2, 3); // cycles are followed: repetition is real text too
        assertThat(table.chain(4, 5)).isEmpty();
        assertThat(table.chain(1, 0)).isEmpty();
        assertThatThrownBy(() -> new SuccessorTable(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRecyclingDrafterLearnsFromTheRequestAndDraftsFromTheLastToken() {
        RecyclingDrafter drafter = new RecyclingDrafter("fp", new SuccessorTable(16, 4));
        GenerationState state = new GenerationState("r", 2, "replies", "m", "fp", 2, new int[] {9, 4, 6}, 16,
                SamplingParams.greedy(), null, null, 0, 0);
        DraftRequest request = new DraftRequest(state, 3, "recycling", 0,
                List.of(new Successors(4, new int[] {6, 5}), new Successors(6, new int[] {7, 2}), new Successors(7, new int[] {8})));
        Draft draft = drafter.propose(request).join();
        assertThat(draft.tokens()).containsExactly(7, 8);
        assertThat(draft.distributions()).isEmpty();
        // another request shares what was learnt
        GenerationState other = new GenerationState("s", 1, "replies", "m", "fp", 1, new int[] {4}, 16, SamplingParams.greedy(),
                null, null, 0, 0);
        assertThat(drafter.propose(new DraftRequest(other, 2, "recycling", 0)).join().tokens()).containsExactly(6, 7);
    }

    @Test
    void treesGoWideAtTheFirstPositionAndDeepAlongEachCandidatesChain() {
        SuccessorTable table = new SuccessorTable(16, 4);
        table.update(1, new int[] {2, 5, 7});
        table.update(2, new int[] {3});
        table.update(3, new int[] {4});
        table.update(5, new int[] {6});
        RecyclingDrafter drafter = new RecyclingDrafter("fp", table);
        Draft tree = drafter.tree(1, 3, 2);
        assertThat(tree.tokens()).containsExactly(2, 3, 4, 5, 6);
        assertThat(tree.parents()).containsExactly(-1, 0, 1, -1, 3);
        GenerationState state = new GenerationState("r", 2, "replies", "m", "fp", 1, new int[] {1}, 16, SamplingParams.greedy(),
                null, null, 0, 0);
        Draft asked = drafter.propose(new DraftRequest(state, 2, "recycling", 0, List.of(), 3)).join();
        assertThat(asked.tokens()).containsExactly(2, 3, 5, 6, 7);
        assertThat(asked.parents()).containsExactly(-1, 0, -1, 2, -1);
        assertThat(drafter.propose(new DraftRequest(state, 2, "recycling", 0)).join().parents()).as("a chain").isNull();
    }
}
