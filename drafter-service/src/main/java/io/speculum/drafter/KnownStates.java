package io.speculum.drafter;

import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.GenerationState;
import io.speculum.protocol.TokenDelta;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The generation state each request's drafter was last sent, so that draft requests can carry only a
 * {@link TokenDelta}. Bounded (least recently used first out) and forgetful (idle entries expire): a state that is
 * gone costs one {@code STATE_NEEDED} answer and a resend of the whole state, never a wrong draft. Thread-safe.
 */
final class KnownStates {

    private final int capacity;
    private final long idleNanos;
    private final LinkedHashMap<String, Entry> byRequest = new LinkedHashMap<>(64, 0.75f, true);

    private record Entry(GenerationState state, long usedNanos) {
    }

    KnownStates(int capacity, Duration idle) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        this.idleNanos = idle.toNanos();
    }

    /**
     * {@code request} with its whole state: as sent, or its delta applied to the state held for it (a repeat of the
     * last delta resolves to the same state). Null when the delta's base is not held.
     */
    synchronized DraftRequest resolve(DraftRequest request) {
        long now = System.nanoTime();
        expire(now);
        GenerationState whole = request.state();
        if (whole != null) {
            Entry held = byRequest.get(request.requestId());
            if (held != null && held.state().round() > whole.round()) {
                return request; // a stale request replayed: answered, but the newer state stays
            }
        } else {
            Entry held = byRequest.get(request.requestId());
            TokenDelta delta = request.delta();
            if (held == null) {
                return null;
            }
            GenerationState base = held.state();
            if (base.tokens().length == delta.from()) {
                whole = base.at(request.round(), delta.applyTo(base.tokens()));
            } else if (base.round() == request.round() && base.tokens().length == delta.length()) {
                whole = base; // the same request again (redelivery)
            } else {
                return null;
            }
        }
        byRequest.put(request.requestId(), new Entry(whole, now));
        if (byRequest.size() > capacity) {
            Iterator<String> eldest = byRequest.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
        return request.state() == whole ? request : request.withState(whole);
    }

    synchronized void forget(String requestId) {
        byRequest.remove(requestId);
    }

    synchronized int size() {
        return byRequest.size();
    }

    private void expire(long now) {
        for (Iterator<Map.Entry<String, Entry>> it = byRequest.entrySet().iterator(); it.hasNext(); ) {
            if (now - it.next().getValue().usedNanos() > idleNanos) {
                it.remove();
            } else {
                break; // access order: the rest were used more recently
            }
        }
    }
}
