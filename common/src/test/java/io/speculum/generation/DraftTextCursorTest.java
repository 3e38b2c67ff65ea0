package io.speculum.generation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DraftTextCursorTest {

    private static final int[] PROMPT = {1, 2};

    private static int[] tokens(int... completion) {
        int[] out = new int[PROMPT.length + completion.length];
        System.arraycopy(PROMPT, 0, out, 0, PROMPT.length);
        System.arraycopy(completion, 0, out, PROMPT.length, completion.length);
        return out;
    }

    @Test
    void followsTheTextWhileTheCompletionEqualsItsPrefix() {
        DraftTextCursor cursor = new DraftTextCursor(new int[] {10, 11, 12, 13, 14});
        assertThat(cursor.nextStart(tokens(), PROMPT.length)).isZero();
        assertThat(cursor.nextStart(tokens(10, 11), PROMPT.length)).isEqualTo(2);
        assertThat(cursor.nextStart(tokens(10, 11, 12, 13, 14), PROMPT.length)).as("used up").isEqualTo(5);
    }

    @Test
    void afterADivergencePicksTheTextUpWhereTheLastThreeTokensRecur() {
        int[] text = {10, 11, 12, 13, 20, 21, 22, 23, 24};
        DraftTextCursor cursor = new DraftTextCursor(text);
        // diverged at the third token; "20 21 22" recurs later in the text
        assertThat(cursor.nextStart(tokens(10, 11, 99, 20, 21, 22), PROMPT.length)).isEqualTo(7);
        cursor.taken(7);
        // never aligned again, even if a later completion happens to equal the prefix's length
        assertThat(cursor.nextStart(tokens(10, 11, 99, 20, 21, 22, 23), PROMPT.length)).isEqualTo(8);
        assertThat(cursor.nextStart(tokens(10, 11, 99, 98, 97, 96), PROMPT.length)).as("tail occurs nowhere").isEqualTo(-1);
    }

    @Test
    void looksFromTheLastChunkFirstThenFromTheStart() {
        int[] text = {5, 6, 7, 40, 5, 6, 7, 41};
        DraftTextCursor cursor = new DraftTextCursor(text);
        assertThat(cursor.nextStart(tokens(9, 5, 6, 7), PROMPT.length)).as("first occurrence").isEqualTo(3);
        cursor.taken(6);
        assertThat(cursor.nextStart(tokens(9, 5, 6, 7, 40, 5, 6, 7), PROMPT.length)).as("from the last chunk on").isEqualTo(7);
        cursor.taken(8);
        assertThat(cursor.nextStart(tokens(9, 5, 6, 7, 40, 5, 6, 7, 9, 5, 6, 7), PROMPT.length)).as("then from the start").isEqualTo(3);
    }

    @Test
    void matchEndNeedsThreeCommittedTokensAndAStartAtOrAfterFrom() {
        int[] text = {1, 2, 3, 4, 1, 2, 3, 5};
        assertThat(DraftTextCursor.matchEnd(text, new int[] {1, 2, 3}, 0)).isEqualTo(3);
        assertThat(DraftTextCursor.matchEnd(text, new int[] {1, 2, 3}, 4)).isEqualTo(7);
        assertThat(DraftTextCursor.matchEnd(text, new int[] {1, 2, 3}, 8)).isEqualTo(-1);
        assertThat(DraftTextCursor.matchEnd(text, new int[] {2, 3}, 0)).isEqualTo(-1);
        assertThat(new DraftTextCursor(new int[0]).nextStart(tokens(1, 2, 3), PROMPT.length)).isEqualTo(-1);
    }
}
