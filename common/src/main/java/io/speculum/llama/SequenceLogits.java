package io.speculum.llama;

/**
 * The result of a {@link SequenceDecode}: one logits row per requested offset, in the order of
 * {@link SequenceDecode#logitsAt()}, and the decode that produced them.
 */
public record SequenceLogits(int sequence, int[] offsets, float[][] rows, SharedDecode decode) {

    public SequenceLogits(int sequence, int[] offsets, float[][] rows) {
        this(sequence, offsets, rows, SharedDecode.UNKNOWN);
    }

    /** The logits after the token at {@code offset} of the request. */
    public float[] at(int offset) {
        for (int i = 0; i < offsets.length; i++) {
            if (offsets[i] == offset) {
                return rows[i];
            }
        }
        throw new IllegalArgumentException("No logits were requested at offset " + offset);
    }

    /** The logits after the last requested token. */
    public float[] last() {
        if (rows.length == 0) {
            throw new IllegalStateException("No logits were requested");
        }
        return rows[rows.length - 1];
    }
}
