package io.speculum.drafter.drafters;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which KV sequence of a drafter's context holds which request's tokens. A request keeps what it had cached, so the
 * next round decodes only the new suffix. Sequences come back when their request is released, when they have been
 * idle too long, or, least recently used first, when every sequence is taken. Used only on the engine's thread.
 *
 * <p>Giving sequences back early matters for speed, not only memory: llama.cpp's KV cache is unified, and every
 * decode attends over all cells up to the highest one in use, so stale sequences slow down every later draft.
 */
final class SequenceSlots {

    /** A sequence id and the tokens its KV cache holds, positions 0..n-1. */
    static final class Slot {
        final int sequence;
        int[] cached = new int[0];
        long lastUsedNanos;
        /** A chain is being drafted in it now: it is neither evicted nor given to another chain. */
        boolean busy;

        Slot(int sequence) {
            this.sequence = sequence;
        }

        /** Length of the common prefix of what is cached and {@code tokens}. */
        int commonPrefix(int[] tokens) {
            int n = Math.min(cached.length, tokens.length);
            int i = Arrays.mismatch(cached, 0, n, tokens, 0, n);
            return i < 0 ? n : i;
        }
    }

    private final LinkedHashMap<String, Slot> byRequest = new LinkedHashMap<>(16, 0.75f, true);
    private final Deque<Integer> free = new ArrayDeque<>();
    private final long idleNanos;

    /** @param idleNanos how long a request's sequence stays cached without use */
    SequenceSlots(int capacity, long idleNanos) {
        for (int sequence = 0; sequence < capacity; sequence++) {
            free.addLast(sequence);
        }
        this.idleNanos = idleNanos;
    }

    /**
     * The request's slot, or a fresh one whose sequence the caller must clear (it may hold an evicted request's
     * cells, though its {@code cached} is empty); null while the request's slot is busy, or every slot is.
     */
    Slot acquire(String requestId, long nowNanos) {
        Slot slot = byRequest.get(requestId);
        if (slot != null && slot.busy) {
            return null;
        }
        if (slot == null) {
            Integer sequence = free.pollFirst();
            if (sequence == null) {
                Iterator<Map.Entry<String, Slot>> eldest = byRequest.entrySet().iterator();
                while (sequence == null && eldest.hasNext()) {
                    Slot candidate = eldest.next().getValue();
                    if (!candidate.busy) {
                        sequence = candidate.sequence;
                        eldest.remove();
                    }
                }
                if (sequence == null) {
                    return null;
                }
            }
            slot = new Slot(sequence);
            byRequest.put(requestId, slot);
        }
        slot.lastUsedNanos = nowNanos;
        return slot;
    }

    /** Forgets the request; returns the sequence the caller must clear, or -1 when it held none. */
    int release(String requestId) {
        Slot slot = byRequest.remove(requestId);
        if (slot == null) {
            return -1;
        }
        free.addLast(slot.sequence);
        return slot.sequence;
    }

    /** Releases every request idle for longer than the idle time; returns the sequences the caller must clear. */
    List<Integer> expire(long nowNanos) {
        List<Integer> expired = new ArrayList<>();
        for (Iterator<Slot> it = byRequest.values().iterator(); it.hasNext(); ) {
            Slot slot = it.next();
            if (!slot.busy && nowNanos - slot.lastUsedNanos > idleNanos) {
                it.remove();
                free.addLast(slot.sequence);
                expired.add(slot.sequence);
            }
        }
        return expired;
    }

    /** Whether a chain is being drafted in the request's sequence now. */
    boolean isBusy(String requestId) {
        Slot slot = byRequest.get(requestId);
        return slot != null && slot.busy;
    }

    int cachedRequests() {
        return byRequest.size();
    }
}
