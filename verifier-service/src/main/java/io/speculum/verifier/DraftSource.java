package io.speculum.verifier;

import io.speculum.protocol.HopStages;

/**
 * Where a round's draft came from: the drafter that proposed it (null: the verifier decodes alone), how long the hop
 * to it took, and where that time went (null when not stamped, or no hop).
 */
record DraftSource(String drafter, double hopMillis, HopStages stages) {

    /** A round decoded without a draft. */
    static final DraftSource NONE = new DraftSource(null, 0, null);
    /** A round verifying the request's own draft text (cascades: {@link DraftTextHint}), no hop. */
    static final DraftSource DRAFT_TEXT = new DraftSource(DraftTextHint.DRAFTER, 0, null);

    /** A drafter's proposal: the automatic policy learns from it (the draft text says nothing of drafters). */
    boolean fromDrafter() {
        return drafter != null && !DraftTextHint.DRAFTER.equals(drafter);
    }
}
