package io.speculum.llama;

/**
 * A vocabulary's special tokens; {@link #NONE} (-1) where the vocabulary has no such token.
 *
 * @param addBos whether tokenising with special tokens prepends {@code bos}
 * @param addEos whether tokenising with special tokens appends {@code eos}
 */
public record SpecialTokens(int bos, int eos, int eot, int newline, int pad, boolean addBos, boolean addEos) {
    public static final int NONE = -1;
}
