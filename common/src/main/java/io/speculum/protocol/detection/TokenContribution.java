package io.speculum.protocol.detection;

/**
 * Per-token evidence: a predicted token of the text and how much it moved the decision method's oriented score
 * (positive: towards machine).
 *
 * @param start UTF-16 offset of the token's text in the text as the tokenizer spells it back (inclusive)
 * @param end   exclusive end offset
 */
public record TokenContribution(int index, int token, String text, int start, int end, double logProb, int rank,
                                double contribution) {
}
