package io.speculum.llama;

import java.util.Arrays;

/**
 * What a deterministic {@link InferenceContext} knows about its KV cache: each sequence's tokens and cells by
 * position, how many live sequences reference each cell, and the frontier below which every cell is occupied. The
 * context keeps the cache free of holes, so llama.cpp places each decode's tokens at the frontier in batch order and
 * this mirror stays exact (the context checks it against llama.cpp's count with assertions on).
 */
final class OrderedCells {

    private final int[][] tokens;
    private final int[][] cells;
    private final int[] references;
    private final int positionLimit;
    private int frontier;

    OrderedCells(int sequences, int contextSize, int positionLimit) {
        this.tokens = new int[sequences][];
        this.cells = new int[sequences][];
        this.references = new int[contextSize];
        this.positionLimit = positionLimit;
    }

    /** Cells in use: all below this index are occupied (by live or parked tokens), none above. */
    int frontier() {
        return frontier;
    }

    /** The tokens of {@code sequence} by position (valid up to its length). */
    int[] tokens(int sequence) {
        return tokens[sequence];
    }

    /** {@code input} was decoded: its tokens now occupy the cells from the frontier on, in batch order. */
    void decoded(DecodeBatch input) {
        for (int i = 0; i < input.size(); i++) {
            int cell = frontier + i;
            int[] sequences = input.sequenceIdsUnsafe(i);
            for (int sequence : sequences) {
                place(sequence, input.position(i), input.token(i), cell);
            }
            references[cell] = sequences.length;
        }
        frontier += input.size();
    }

    /** {@code target} now shares {@code source}'s cells of positions {@code [from, end)}. */
    void copied(int source, int target, int from, int end) {
        for (int p = from; p < end; p++) {
            place(target, p, tokens[source][p], cells[source][p]);
            references[cells[source][p]]++;
        }
    }

    /** Whether positions {@code [from, length)} of {@code sequence} are the top cells, in order, and only its own. */
    boolean onTop(int sequence, int from, int length) {
        for (int p = from; p < length; p++) {
            int cell = cells[sequence][p];
            if (cell != frontier - (length - p) || references[cell] != 1) {
                return false;
            }
        }
        return true;
    }

    /** The top cells of {@link #onTop} were freed. */
    void freed(int sequence, int from, int length) {
        for (int p = from; p < length; p++) {
            references[cells[sequence][p]] = 0;
        }
        frontier -= length - from;
    }

    /** Positions {@code [from, length)} of {@code sequence} were parked: their cells stay occupied. */
    void parked(int sequence, int from, int length) {
        for (int p = from; p < length; p++) {
            references[cells[sequence][p]]--;
        }
    }

    /** The whole cache was emptied. */
    void cleared() {
        frontier = 0;
        Arrays.fill(references, 0);
    }

    private void place(int sequence, int position, int token, int cell) {
        if (tokens[sequence] == null || tokens[sequence].length <= position) {
            int size = Math.min(positionLimit, Math.max(64, 2 * (position + 1)));
            tokens[sequence] = Arrays.copyOf(tokens[sequence] == null ? new int[0] : tokens[sequence], size);
            cells[sequence] = Arrays.copyOf(cells[sequence] == null ? new int[0] : cells[sequence], size);
        }
        tokens[sequence][position] = token;
        cells[sequence][position] = cell;
    }
}
