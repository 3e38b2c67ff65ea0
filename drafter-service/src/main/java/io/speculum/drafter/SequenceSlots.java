package io.speculum.drafter;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which KV sequence of a drafter's context holds which request's tokens. Least recently used requests give their
 * sequence up first; a request keeps what it had cached, so the next round decodes only the new suffix. Used only
 * on the engine's thread.
 */
final class SequenceSlots {

    /** A sequence id and the tokens its KV cache holds, positions 0..n-1. */
    static final class Slot {
        final int sequence;
        int[] cached = new int[0];

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
    private final int capacity;

    SequenceSlots(int capacity) {
        this.capacity = capacity;
    }

    /** The request's slot, or a fresh one (evicting the least recently used request when all are taken). */
    Slot acquire(String requestId) {
        Slot slot = byRequest.get(requestId);
        if (slot != null) {
            return slot;
        }
        int sequence;
        if (byRequest.size() < capacity) {
            sequence = byRequest.size();
        } else {
            Map.Entry<String, Slot> eldest = byRequest.entrySet().iterator().next();
            byRequest.remove(eldest.getKey());
            sequence = eldest.getValue().sequence;
        }
        slot = new Slot(sequence);
        byRequest.put(requestId, slot);
        return slot;
    }
}
