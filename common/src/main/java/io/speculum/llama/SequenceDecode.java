package io.speculum.llama;

import java.util.Arrays;

/**
 * Work for an {@link InferenceEngine}: decode {@code tokens} into {@code sequence} at positions from
 * {@code startPosition} on, and return the logits at the requested offsets within {@code tokens}. Anything the
 * sequence had cached from {@code startPosition} on is dropped first (rolled-back draft tokens, a diverged
 * history), so a request is correct whatever the cache held and replaying it gives the same logits.
 *
 * <p>A <em>tree</em> decode ({@link #tree}) verifies several branches at once: token i goes to position
 * {@code startPosition + depths[i]} and belongs to the sequences {@code branches[i]} (a prefix shared by branches is
 * tagged with all of them). Every branch sequence other than {@code sequence} first gets {@code sequence}'s cached
 * positions {@code [0, startPosition)} (shared cells, no copy), so each branch attends over the committed history and
 * its own path only.
 *
 * @param logitsAt offsets into {@code tokens} whose logits are wanted, ascending (empty: none)
 * @param depths   per token its position offset from {@code startPosition} (null: 0, 1, 2, …)
 * @param branches per token the sequences it belongs to (null: {@code sequence} only)
 */
public record SequenceDecode(int sequence, int[] tokens, int startPosition, int[] logitsAt, int[] depths, int[][] branches) {

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
        if ((depths == null) != (branches == null)) {
            throw new IllegalArgumentException("a tree decode needs both depths and branches");
        }
        if (depths != null) {
            if (depths.length != tokens.length || branches.length != tokens.length) {
                throw new IllegalArgumentException("depths and branches must have one entry per token");
            }
            depths = depths.clone();
            branches = branches.clone();
            for (int i = 0; i < tokens.length; i++) {
                if (depths[i] < 0 || branches[i] == null || branches[i].length == 0) {
                    throw new IllegalArgumentException("token " + i + " needs a depth >= 0 and at least one sequence");
                }
                branches[i] = branches[i].clone();
            }
        }
    }

    /** A chain: consecutive positions of one sequence. */
    public SequenceDecode(int sequence, int[] tokens, int startPosition, int[] logitsAt) {
        this(sequence, tokens, startPosition, logitsAt, null, null);
    }

    /** A tree of branches over {@code sequence}'s history, with logits at every token. */
    public static SequenceDecode tree(int sequence, int[] tokens, int startPosition, int[] depths, int[][] branches) {
        int[] all = new int[tokens.length];
        Arrays.setAll(all, i -> i);
        return new SequenceDecode(sequence, tokens, startPosition, all, depths, branches);
    }

    public boolean isTree() {
        return branches != null;
    }

    /** Absolute position of token i. */
    public int position(int i) {
        return startPosition + (depths == null ? i : depths[i]);
    }

    /** The sequences token i belongs to. */
    int[] sequencesOf(int i) {
        return branches == null ? new int[] {sequence} : branches[i];
    }

    /** Every sequence this decode writes to, {@code sequence} first. */
    public int[] touchedSequences() {
        if (branches == null) {
            return new int[] {sequence};
        }
        java.util.LinkedHashSet<Integer> all = new java.util.LinkedHashSet<>();
        all.add(sequence);
        for (int[] b : branches) {
            for (int s : b) {
                all.add(s);
            }
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    /** One past the highest position written. */
    int endPosition() {
        int end = 0;
        for (int i = 0; i < tokens.length; i++) {
            end = Math.max(end, position(i) + 1);
        }
        return end;
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
