package io.speculum.drafter.drafters;

import io.speculum.protocol.Successors;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Token recycling's adjacency table: for each token, the successor candidates the verifier's model ranked highest
 * the last time it decoded that token, best first. Shared by every request (what one generation taught helps the
 * next) and bounded: at most {@code capacity} rows of at most {@code width} ids, least recently used rows evicted.
 * Thread-safe.
 */
public final class SuccessorTable {

    private final int width;
    private final int capacity;
    private final LinkedHashMap<Integer, int[]> rows;

    public SuccessorTable(int capacity, int width) {
        if (capacity < 1 || width < 1) {
            throw new IllegalArgumentException("capacity and width must be >= 1, got " + capacity + ", " + width);
        }
        this.capacity = capacity;
        this.width = width;
        this.rows = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, int[]> eldest) {
                return size() > SuccessorTable.this.capacity;
            }
        };
    }

    /** Replaces what is known after {@code token} by the latest candidates (the most recent context predicts best). */
    public synchronized void update(int token, int[] candidates) {
        if (candidates.length > 0) {
            rows.put(token, Arrays.copyOf(candidates, Math.min(width, candidates.length)));
        }
    }

    public void learn(List<Successors> successors) {
        for (Successors s : successors) {
            update(s.token(), s.candidates());
        }
    }

    /** The candidates after {@code token}, best first; empty when none are known. */
    public synchronized int[] successors(int token) {
        int[] row = rows.get(token);
        return row == null ? new int[0] : row.clone();
    }

    /** The chain that follows each token's best candidate from {@code last}, at most {@code k} long. */
    public synchronized int[] chain(int last, int k) {
        int[] chain = new int[Math.max(0, k)];
        int n = 0;
        for (int token = last; n < chain.length; ) {
            int[] row = rows.get(token);
            if (row == null) {
                break;
            }
            token = row[0];
            chain[n++] = token;
        }
        return Arrays.copyOf(chain, n);
    }

    public synchronized int size() {
        return rows.size();
    }

    public int width() {
        return width;
    }

    public int capacity() {
        return capacity;
    }
}
