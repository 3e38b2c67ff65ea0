package io.speculum.generation;

import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;

/**
 * One generation on a slot, from its start to its one terminal event: what every generating service keeps of it (the
 * request, the slot, the completion so far, the text sent). A service's own session type adds its decode state.
 * Guarded by its own monitor; only {@link GenerationSessions} ends it.
 */
public abstract class GenerationSession {

    private final GenerateRequest request;
    private final int slot;
    private final int promptLength;
    private final CompletionTracker tracker;
    private boolean ended;
    /** Unicode code points of completion text sent so far: the next event's text offset. */
    private int sentCodePoints;

    protected GenerationSession(GenerateRequest request, int slot, int promptLength, CompletionTracker tracker) {
        this.request = request;
        this.slot = slot;
        this.promptLength = promptLength;
        this.tracker = tracker;
    }

    /** The round its next event carries (the terminal event's too). */
    public abstract int round();

    /** What its {@code done} event reports of the rounds it took. */
    public abstract GenerationEvent.GenerationStats stats();

    public final String id() {
        return request.requestId();
    }

    public final GenerateRequest request() {
        return request;
    }

    public final int slot() {
        return slot;
    }

    public final int promptLength() {
        return promptLength;
    }

    public final CompletionTracker tracker() {
        return tracker;
    }

    /** It has sent its terminal event: late decodes and messages for it are ignored. */
    public final boolean ended() {
        return ended;
    }

    /** Counts {@code text} as sent and returns its offset (code points of the completion text before it). */
    public final int send(String text) {
        int offset = sentCodePoints;
        sentCodePoints += text.codePointCount(0, text.length());
        return offset;
    }

    /** Marks it ended; false when it already was (each generation ends once). */
    final boolean end() {
        if (ended) {
            return false;
        }
        ended = true;
        return true;
    }
}
