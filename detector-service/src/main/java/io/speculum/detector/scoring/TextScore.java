package io.speculum.detector.scoring;

/**
 * One per-text score over a text's token evidence. Scores keep the sign their paper gives them;
 * {@link #machineDirection()} says which way points to machine-generated text, and {@link #oriented} applies it.
 */
public interface TextScore {

    /** The name requests use (e.g. {@code fast-detectgpt}). */
    String name();

    /** +1 when a higher score means more machine-like, −1 when a lower one does. */
    int machineDirection();

    /** The score of a text with at least one predicted token. */
    double score(TextEvidence text);

    /**
     * Each token's share of the oriented score (positive: towards "machine"), for per-token evidence. The default
     * spreads it as a mean would; methods that do not average say how their tokens count.
     */
    double[] contributions(TextEvidence text);

    /** The score with its sign turned so that higher always means more machine-like. */
    default double oriented(TextEvidence text) {
        return machineDirection() * score(text);
    }

    static void requireTokens(TextEvidence text) {
        if (text.size() == 0) {
            throw new IllegalArgumentException("a text needs at least one predicted token to be scored");
        }
    }
}
