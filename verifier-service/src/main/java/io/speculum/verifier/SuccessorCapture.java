package io.speculum.verifier;

import io.speculum.math.TokenStatistics;
import io.speculum.protocol.Successors;
import java.util.ArrayList;
import java.util.List;

/**
 * What the target ranked next at the positions decoded since the last draft request, sent with the next one: token
 * recycling learns from them (rejected draft positions included). Bounded: only the latest positions are kept. One per
 * session; guarded by its monitor.
 */
final class SuccessorCapture {

    private final int candidates;
    private final int capacity;
    private final List<Successors> successors = new ArrayList<>();

    /**
     * @param candidates how many of the top next tokens to keep per position (0: none, nothing is kept)
     * @param capacity   how many positions to keep, the latest
     */
    SuccessorCapture(int candidates, int capacity) {
        this.candidates = candidates;
        this.capacity = capacity;
    }

    /** Keeps the top next tokens after {@code token}, ranked by {@code logits} (the row decoded for it). */
    void learn(int token, float[] logits) {
        if (candidates == 0) {
            return;
        }
        if (successors.size() >= capacity) {
            successors.removeFirst();
        }
        successors.add(new Successors(token, TokenStatistics.topN(logits, candidates).ids()));
    }

    /** The positions kept, oldest first: the live list, for the draft request being built. */
    List<Successors> list() {
        return successors;
    }

    /** Starts over once a draft request carried them. */
    void clear() {
        successors.clear();
    }
}
