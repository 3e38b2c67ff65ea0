package io.speculum.llama;

import java.util.Arrays;

/**
 * Work for an {@link InferenceEngine}: decode {@code tokens} into {@code sequence} at positions from
 * {@code startPosition} on, and return the logits at the requested offsets within {@code tokens}. Anything the
 * sequence had cached from {@code startPosition} on is dropped first (rolled-back draft tokens, a diverged
 * history), so a request is correct whatever the cache held and replaying it gives the same logits.
 *
 * @param logitsAt offsets into {@code tokens} whose logits are wanted, ascending (empty: none)
 */
public record SequenceDecode(int sequence, int[] tokens, int startPosition, int[] logitsAt) {

    public SequenceDecode {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("nothing to decode");
        }
        if (startPosition < 0) {
            throw new IllegalArgumentException("startPosition must be >= 0, got " + startPosition);
        }
        tokens = tokens.clone();
        logitsAt = logitsAt.clone();
        for (int i = 0; i < logitsAt.length; i++) {
            if (logitsAt[i] < 0 || logitsAt[i] >= tokens.length || (i > 0 && logitsAt[i] <= logitsAt[i - 1])) {
                throw new IllegalArgumentException("logitsAt must be ascending offsets within the " + tokens.length
                        + " tokens: " + Arrays.toString(logitsAt));
            }
        }
    }

    /** Logits for the last token only: prefill, or one generation step. */
    public static SequenceDecode last(int sequence, int[] tokens, int startPosition) {
        return new SequenceDecode(sequence, tokens, startPosition, new int[] {tokens.length - 1});
    }

    /** Logits at every token: verifying a draft, scoring a text. */
    public static SequenceDecode all(int sequence, int[] tokens, int startPosition) {
        int[] all = new int[tokens.length];
        Arrays.setAll(all, i -> i);
        return new SequenceDecode(sequence, tokens, startPosition, all);
    }

    boolean wantsLogits(int offset) {
        return Arrays.binarySearch(logitsAt, offset) >= 0;
    }
}
