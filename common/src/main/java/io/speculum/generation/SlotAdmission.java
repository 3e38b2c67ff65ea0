package io.speculum.generation;

import io.speculum.protocol.GenerateRequest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who gets one of a fixed number of slots (a slot is a KV sequence; the generation on it is a
 * {@link GenerationSession}): a request starts when one is free, waits in a bounded FIFO queue otherwise, and is
 * refused when the queue is full. Request ids that are running, waiting or recently finished are duplicates (replays
 * after at-least-once delivery) and are dropped. Thread-safe.
 */
public final class SlotAdmission {

    /** What happens to a request. */
    public sealed interface Decision {
    }

    /** Start now on {@code slot}. */
    public record Start(int slot) implements Decision {
    }

    /** Wait: {@link #release} hands it a slot later. */
    public record Queued(int position) implements Decision {
    }

    /** Already running, waiting or finished: drop it. */
    public record Duplicate() implements Decision {
    }

    /** Every slot busy and the queue full: refuse it (it is remembered as finished). */
    public record Overloaded(int slots, int waiting) implements Decision {

        /** The client's message, naming what is full (e.g. "verifier"). */
        public String message(String server) {
            return "The " + server + " is serving " + slots + " generations with " + waiting + " waiting; retry later";
        }
    }

    /** A queued request and the slot it now owns. */
    public record Handover(GenerateRequest request, int slot) {
    }

    private final int slots;
    private final int maxWaiting;
    private final Deque<Integer> freeSlots = new ArrayDeque<>();
    private final Deque<GenerateRequest> waiting = new ArrayDeque<>();
    private final Set<String> running = new HashSet<>();
    private final Map<String, Boolean> finished;

    public SlotAdmission(int slots, int maxWaiting, int finishedMemory) {
        if (slots < 1 || maxWaiting < 0 || finishedMemory < 1) {
            throw new IllegalArgumentException("slots >= 1, maxWaiting >= 0 and finishedMemory >= 1 required");
        }
        this.slots = slots;
        this.maxWaiting = maxWaiting;
        for (int slot = 0; slot < slots; slot++) {
            freeSlots.addLast(slot);
        }
        this.finished = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > finishedMemory;
            }
        };
    }

    public synchronized Decision admit(GenerateRequest request) {
        String id = request.requestId();
        if (running.contains(id) || finished.containsKey(id) || waiting.stream().anyMatch(w -> w.requestId().equals(id))) {
            return new Duplicate();
        }
        Integer slot = freeSlots.pollFirst();
        if (slot != null) {
            running.add(id);
            return new Start(slot);
        }
        if (waiting.size() >= maxWaiting) {
            finished.put(id, Boolean.TRUE);
            return new Overloaded(slots, waiting.size());
        }
        waiting.addLast(request);
        return new Queued(waiting.size());
    }

    /** Marks a request that ended without ever taking a slot (refused after checks) as finished. */
    public synchronized void refused(String requestId) {
        finished.put(requestId, Boolean.TRUE);
    }

    /**
     * Ends {@code requestId}, which held {@code slot}: the slot goes to the first waiting request (returned, already
     * counted as running) or back to the free ones (null returned).
     */
    public synchronized Handover release(String requestId, int slot) {
        running.remove(requestId);
        finished.put(requestId, Boolean.TRUE);
        GenerateRequest next = waiting.pollFirst();
        if (next == null) {
            freeSlots.addLast(slot);
            return null;
        }
        running.add(next.requestId());
        return new Handover(next, slot);
    }

    /** Takes a waiting request out of the queue (it is remembered as finished); null when it is not waiting. */
    public synchronized GenerateRequest cancelWaiting(String requestId) {
        for (Iterator<GenerateRequest> it = waiting.iterator(); it.hasNext(); ) {
            GenerateRequest queued = it.next();
            if (queued.requestId().equals(requestId)) {
                it.remove();
                finished.put(requestId, Boolean.TRUE);
                return queued;
            }
        }
        return null;
    }

    /** Empties the queue (at shutdown); the requests are remembered as finished. */
    public synchronized List<GenerateRequest> drainWaiting() {
        List<GenerateRequest> drained = List.copyOf(waiting);
        waiting.clear();
        drained.forEach(r -> finished.put(r.requestId(), Boolean.TRUE));
        return drained;
    }

    public synchronized int waiting() {
        return waiting.size();
    }

    public synchronized int running() {
        return running.size();
    }
}
