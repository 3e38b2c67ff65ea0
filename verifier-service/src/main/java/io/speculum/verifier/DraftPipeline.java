package io.speculum.verifier;

import io.speculum.protocol.DraftProposal;
import java.util.Arrays;

/**
 * One session's pipelined drafting: while the verifier verifies a draft, the drafter pre-drafts the round after it,
 * assuming the draft passes whole and guessing the verifier's token after it. This keeps that pre-draft until its
 * round, and knows when a round should wait for it rather than ask again. Guarded by the session's monitor.
 */
final class DraftPipeline {

    private DraftProposal held;
    private long heldArrivedMicros;
    private long takenArrivedMicros;
    /** The draft being verified, whose pre-draft the drafter sends, and the committed length it continues. */
    private int[] verifying;
    private int verifyingFrom;
    private boolean awaiting;

    /** Keeps a pre-draft that came before its round (the newest wins; failed ones are useless). */
    void hold(DraftProposal predraft, long arrivedMicros) {
        if (predraft.error() == null && (held == null || predraft.round() >= held.round())) {
            held = predraft;
            heldArrivedMicros = arrivedMicros;
        }
    }

    /** When the pre-draft last taken arrived (µs since the epoch), for its hop's stages. */
    long heldArrivedMicros() {
        return takenArrivedMicros;
    }

    /** The pre-draft held for {@code round}, if any; older ones are dropped, later ones kept. */
    DraftProposal take(int round) {
        DraftProposal predraft = held;
        if (predraft == null || predraft.round() > round) {
            return null;
        }
        held = null;
        takenArrivedMicros = heldArrivedMicros;
        return predraft.round() == round ? predraft : null;
    }

    /** The verifier verifies {@code draft} continuing {@code from} committed tokens; its pre-draft will follow. */
    void expect(int from, int[] draft) {
        verifying = draft.clone();
        verifyingFrom = from;
        awaiting = false;
    }

    /**
     * Whether the round starting at {@code committed} should wait for the pre-draft on its way: the draft verified
     * last passed whole (plus the verifier's own token), so the drafter's assumption may hold.
     */
    boolean awaitingPredraft(int[] committed) {
        int n = verifying == null ? -1 : verifying.length;
        awaiting = n > 0 && committed.length == verifyingFrom + n + 1
                && Arrays.equals(committed, verifyingFrom, verifyingFrom + n, verifying, 0, n);
        verifying = null;
        return awaiting;
    }

    /** The round waits for a pre-draft rather than an ordinary draft. */
    boolean awaitingPredraft() {
        return awaiting;
    }

    void clear() {
        held = null;
        verifying = null;
        awaiting = false;
    }
}
