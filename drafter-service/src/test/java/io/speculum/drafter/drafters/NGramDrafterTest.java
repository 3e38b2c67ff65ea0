package io.speculum.drafter.drafters;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.math.SamplingParams;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.GenerationState;
import io.speculum.protocol.SpeculationPolicy;
import org.junit.jupiter.api.Test;

class NGramDrafterTest {

    @Test
    void theLongestSuffixMatchWinsAndItsContinuationIsProposed() {
        // suffix "3 4 5" occurred at the start followed by 6 7 8; suffix "5" alone also occurred before 9
        int[] tokens = {3, 4, 5, 6, 7, 8, 5, 9, 3, 4, 5};
        assertThat(NGramDrafter.lookup(tokens, 8, 4)).containsExactly(6, 7, 8, 5, 9, 3, 4, 5);
        assertThat(NGramDrafter.lookup(tokens, 2, 4)).containsExactly(6, 7);
    }

    @Test
    void theMostRecentOccurrenceOfTheMatchIsUsed() {
        int[] tokens = {1, 2, 10, 1, 2, 20, 1, 2};
        assertThat(NGramDrafter.lookup(tokens, 1, 4)).containsExactly(20);
    }

    @Test
    void shortMatchesDraftShallowAndTheContinuationStopsAtTheContextsEnd() {
        int[] tokens = {7, 1, 2, 3, 4, 5, 6, 7};
        // only the 1-gram "7" matches: at most two tokens
        assertThat(NGramDrafter.lookup(tokens, 8, 4)).containsExactly(1, 2);
        int[] repeat = {9, 9};
        assertThat(NGramDrafter.lookup(repeat, 8, 4)).containsExactly(9);
    }

    @Test
    void nothingToProposeWithoutAnEarlierMatch() {
        assertThat(NGramDrafter.lookup(new int[] {1, 2, 3, 4}, 8, 4)).isEmpty();
        assertThat(NGramDrafter.lookup(new int[] {1}, 8, 4)).isEmpty();
        assertThat(NGramDrafter.lookup(new int[] {1, 2, 1}, 0, 4)).isEmpty();
    }

    @Test
    void proposalsArePointMassesWithinTheRequestsLength() {
        NGramDrafter drafter = new NGramDrafter("fp");
        GenerationState state = new GenerationState("r", 1, "replies", "m", "fp", 4, new int[] {5, 6, 7, 8, 5, 6, 7}, 16,
                SamplingParams.ofTemperature(1.0, 3), null, SpeculationPolicy.defaults(), 0, 0);
        Draft draft = drafter.propose(new DraftRequest(state, 3, "ngram", 0)).join();
        assertThat(draft.tokens()).containsExactly(8, 5, 6);
        assertThat(draft.distributions()).isEmpty();
    }
}
