package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The numbering of tree-branch sequences (the KV operations on them are tested through the verifier's tree rounds). */
class BranchSequencesTest {

    @Test
    void branchZeroIsTheSlotsOwnSequenceAndEveryBranchOfEverySlotHasItsOwn() {
        BranchSequences sequences = new BranchSequences(null, 4, 3); // numbering needs no engine
        Set<Integer> seen = new HashSet<>();
        for (int slot = 0; slot < 4; slot++) {
            assertThat(sequences.sequence(slot, 0)).isEqualTo(slot);
            for (int branch = 0; branch < 3; branch++) {
                assertThat(seen.add(sequences.sequence(slot, branch))).as("slot %d branch %d", slot, branch).isTrue();
            }
        }
        assertThat(seen).allMatch(s -> s >= 0 && s < 12);
        assertThat(sequences.of(2, 3)).containsExactly(2, sequences.sequence(2, 1), sequences.sequence(2, 2));
        assertThat(new BranchSequences(null, 4, 1).of(3, 1)).as("chains: one sequence per slot").containsExactly(3);
    }
}
