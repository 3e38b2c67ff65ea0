package io.speculum.generation;

import java.util.Arrays;

/**
 * Where in a draft text (a cascade's small answer, in the large model's tokens) the next chunk to verify starts: right
 * after the committed completion while it still equals the text's prefix; once they differ, right after the next place
 * where the last {@value #MATCH} committed tokens occur in the text (the small answer often says the same phrase a
 * little later or earlier), looked for from the last chunk's start first, then from the beginning. The verifier runs
 * this rule, and the cascade's calibration replays it to estimate what a deferral saves: one rule for both.
 * Not thread-safe: one per generation.
 */
public final class DraftTextCursor {

    /** Committed tokens that must recur in the draft text to pick it up again after it diverged. */
    public static final int MATCH = 3;

    private final int[] text;
    /** Completion tokens already compared with the text. */
    private int checked;
    /** The committed completion still equals the text's prefix. */
    private boolean aligned;
    /** Where in the text the last chunk started. */
    private int cursor;

    /** @param text the draft text's tokens (completion positions 0..) */
    public DraftTextCursor(int[] text) {
        this.text = text;
        this.aligned = text.length > 0;
    }

    /**
     * The text position the next chunk starts at, for {@code tokens} (prompt and committed completion) of which the
     * first {@code promptLength} are the prompt; -1 when the committed tail occurs nowhere in the text.
     */
    public int nextStart(int[] tokens, int promptLength) {
        int completed = tokens.length - promptLength;
        if (aligned) {
            for (int i = checked; i < completed && aligned; i++) {
                aligned = i < text.length && tokens[promptLength + i] == text[i];
            }
            if (aligned) {
                checked = completed;
                return completed;
            }
        }
        int from = matchEnd(text, tokens, cursor);
        return from < 0 && cursor > 0 ? matchEnd(text, tokens, 0) : from;
    }

    /** A chunk starting at {@code start} (from {@link #nextStart}) is being verified: later matches are looked for from there. */
    public void taken(int start) {
        cursor = start;
    }

    /** The text position right after the first occurrence, ending at {@code from} or later, of the committed tail. */
    public static int matchEnd(int[] text, int[] tokens, int from) {
        if (tokens.length < MATCH) {
            return -1;
        }
        for (int end = Math.max(MATCH, from); end < text.length; end++) {
            if (Arrays.equals(text, end - MATCH, end, tokens, tokens.length - MATCH, tokens.length)) {
                return end;
            }
        }
        return -1;
    }
}
