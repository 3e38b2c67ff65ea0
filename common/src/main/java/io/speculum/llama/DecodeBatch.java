package io.speculum.llama;

import java.util.Arrays;

/**
 * Tokens to decode in one {@code llama_decode}: for each, its position, the sequence(s) it belongs to and whether
 * its logits are wanted. Reusable: {@link #clear()} and fill again. Validated against the context at decode time.
 */
public final class DecodeBatch {

    private int size;
    private int[] tokens;
    private int[] positions;
    private int[][] sequenceIds;
    private boolean[] logits;

    public DecodeBatch(int initialCapacity) {
        int capacity = Math.max(1, initialCapacity);
        tokens = new int[capacity];
        positions = new int[capacity];
        sequenceIds = new int[capacity][];
        logits = new boolean[capacity];
    }

    public DecodeBatch() {
        this(16);
    }

    /** Adds one token of one sequence; returns its index in the batch (the index to read its logits by). */
    public int add(int token, int position, int sequenceId, boolean wantLogits) {
        return add(token, position, new int[] {sequenceId}, wantLogits);
    }

    /** Adds a token shared by several sequences (a common prefix of tree branches). */
    public int add(int token, int position, int[] sequenceIds, boolean wantLogits) {
        if (sequenceIds.length == 0) {
            throw new IllegalArgumentException("a token must belong to at least one sequence");
        }
        if (size == tokens.length) {
            grow();
        }
        tokens[size] = token;
        positions[size] = position;
        this.sequenceIds[size] = sequenceIds.clone();
        logits[size] = wantLogits;
        return size++;
    }

    /**
     * Adds consecutive tokens of one sequence starting at {@code startPosition}; logits for the last one only, or
     * for all of them. Returns the batch index of the first.
     */
    public int addSequence(int sequenceId, int[] sequenceTokens, int startPosition, boolean logitsForAll) {
        int first = size;
        for (int i = 0; i < sequenceTokens.length; i++) {
            add(sequenceTokens[i], startPosition + i, sequenceId, logitsForAll || i == sequenceTokens.length - 1);
        }
        return first;
    }

    public void clear() {
        size = 0;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int token(int i) {
        return tokens[check(i)];
    }

    public int position(int i) {
        return positions[check(i)];
    }

    public int[] sequenceIds(int i) {
        return sequenceIds[check(i)].clone();
    }

    int[] sequenceIdsUnsafe(int i) {
        return sequenceIds[i];
    }

    public boolean wantsLogits(int i) {
        return logits[check(i)];
    }

    private int check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("batch index " + i + " outside [0, " + size + ")");
        }
        return i;
    }

    private void grow() {
        int capacity = tokens.length * 2;
        tokens = Arrays.copyOf(tokens, capacity);
        positions = Arrays.copyOf(positions, capacity);
        sequenceIds = Arrays.copyOf(sequenceIds, capacity);
        logits = Arrays.copyOf(logits, capacity);
    }
}
