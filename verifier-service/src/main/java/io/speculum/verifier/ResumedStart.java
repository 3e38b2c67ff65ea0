package io.speculum.verifier;

import io.speculum.generation.CompletionTracker;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.ResumePoint;
import java.util.Arrays;

/**
 * Where a generation starts: at its prompt, or, when another verifier had served it and stopped answering, after the
 * completion tokens its client already has ({@link ResumePoint}). The prefill then decodes prompt and those tokens
 * together, and the completion tracker is fed them first, so stop strings, held-back text and the token budget
 * continue exactly where the first verifier was; sampling is keyed by (seed, position), so the tokens that follow are
 * the ones it would have sent.
 *
 * @param round   the first round's number
 * @param tokens  the prompt followed by the resumed completion tokens
 * @param resumed how many of them are resumed completion tokens (0: a start from the prompt)
 */
record ResumedStart(int round, int[] tokens, int resumed) {

    static ResumedStart of(GenerateRequest request, int[] prompt) {
        ResumePoint point = request.resume();
        if (point == null || point.tokens().length == 0) {
            return new ResumedStart(point == null ? 0 : point.round(), prompt, 0);
        }
        int[] all = Arrays.copyOf(prompt, prompt.length + point.tokens().length);
        System.arraycopy(point.tokens(), 0, all, prompt.length, point.tokens().length);
        return new ResumedStart(point.round(), all, point.tokens().length);
    }

    boolean isResumed() {
        return resumed > 0;
    }

    /**
     * Feeds the resumed tokens to the session's tracker and counts the text the client already has; null when there
     * are none. A finish in the returned commit means the first verifier had ended the generation with these tokens.
     */
    CompletionTracker.Commit prime(Session session) {
        if (!isResumed()) {
            return null;
        }
        CompletionTracker.Commit had = session.tracker().commit(Arrays.copyOfRange(tokens, tokens.length - resumed, tokens.length));
        session.send(had.text()); // the client has it: the next event's text goes on after it
        return had;
    }
}
