package io.speculum.cascade.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The replay of the verifier's draft-text rule on hand-made token sequences (checked against the verifier end to end). */
class DraftTextReplayTest {

    private static final int[] PROMPT = {1, 2, 3};
    private static final int[] ANSWER = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19};

    @Test
    void withoutADraftEveryTokenAfterTheFirstIsOneRound() {
        assertThat(DraftTextReplay.of(PROMPT, ANSWER, false, 10, new int[0], 4)).isEqualTo(new DraftTextReplay(9, 0));
        assertThat(DraftTextReplay.of(PROMPT, ANSWER, true, 20, new int[0], 4)).as("one more round emits the end").isEqualTo(new DraftTextReplay(10, 0));
    }

    @Test
    void theLargeModelsOwnAnswerIsAcceptedChunkByChunk() {
        // committed 1; chunks of 4: 11..14 (+15), 16..19 would exceed the limit: 16..18 (+19)
        assertThat(DraftTextReplay.of(PROMPT, ANSWER, false, 10, ANSWER, 4)).isEqualTo(new DraftTextReplay(2, 7));
    }

    @Test
    void aDivergedDraftIsPickedUpWhereTheLastThreeTokensRecur() {
        // the draft starts wrong, then says 12 13 14 15 16 17: after 10 11 12 (own rounds) it recurs
        int[] hint = {90, 91, 12, 13, 14, 15, 16, 17};
        // rounds 1-4 alone (10 is not 90; the tails 2 3 10, 3 10 11, 10 11 12, 11 12 13 do not occur): 11, 12, 13, 14
        // round 5: the tail 12 13 14 occurs, ending at 5: 15 16 17 accepted, 18 the large model's; round 6 alone: 19
        assertThat(DraftTextReplay.of(PROMPT, ANSWER, false, 10, hint, 8)).isEqualTo(new DraftTextReplay(6, 3));
    }
}
