package io.speculum.protocol;

import java.util.Arrays;

/**
 * The tokens a generation committed since the last draft request its drafter was sent: positions {@code from} ..
 * {@code from + tokens.length - 1}. A drafter that holds exactly {@code from} tokens of the generation appends them;
 * one that does not answers {@link ProtocolError.ErrorCode#STATE_NEEDED} and is sent the whole state.
 */
public record TokenDelta(int from, int[] tokens) {

    public TokenDelta {
        if (from < 1) {
            throw new IllegalArgumentException("a delta starts after the prompt's first token, not at " + from);
        }
        tokens = tokens == null ? new int[0] : tokens;
    }

    /** Length of the generation's tokens once the delta is applied. */
    public int length() {
        return from + tokens.length;
    }

    /** {@code base} (exactly {@link #from} tokens) followed by the delta. */
    public int[] applyTo(int[] base) {
        if (base.length != from) {
            throw new IllegalArgumentException("a delta from " + from + " applied to " + base.length + " tokens");
        }
        int[] all = Arrays.copyOf(base, length());
        System.arraycopy(tokens, 0, all, from, tokens.length);
        return all;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenDelta d && from == d.from && Arrays.equals(tokens, d.tokens);
    }

    @Override
    public int hashCode() {
        return 31 * from + Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
        return "TokenDelta[from " + from + ", " + Arrays.toString(tokens) + "]";
    }
}
