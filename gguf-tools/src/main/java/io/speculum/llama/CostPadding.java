package io.speculum.llama;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to pad a target to: the same function as {@code source} at the compute cost of a larger model, for measuring
 * speculative decoding where a verification round costs what it costs on a real target.
 *
 * @param source          an F32 llama-architecture GGUF
 * @param target          where to write the padded copy (overwritten)
 * @param hiddenSize      the padded hidden size: a multiple of the source's head size; a power-of-4 multiple of the
 *                        source's hidden size (64 to 256, 1024, 4096) keeps normalisation bitwise unchanged
 * @param feedForwardSize the padded FFN width of every block (llama.cpp wants one width for all blocks)
 * @param blocks          the padded block count; blocks beyond the source's add exactly 0 to the residual stream
 */
public record CostPadding(Path source, Path target, int hiddenSize, int feedForwardSize, int blocks) {

    /** Hidden size, FFN width and blocks that give stories260K's function ~150M parameters (149.8M). */
    public static final int HIDDEN_150M = 1024;
    public static final int FEED_FORWARD_150M = 4352;
    public static final int BLOCKS_150M = 9;

    public CostPadding {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        if (hiddenSize < 1 || feedForwardSize < 1 || blocks < 1) {
            throw new IllegalArgumentException("hidden size, FFN width and blocks must be positive, got " + hiddenSize
                    + ", " + feedForwardSize + ", " + blocks);
        }
        if (source.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("the padded target must not overwrite its source " + source);
        }
    }

    /** The padding to ~150M parameters (see {@link #HIDDEN_150M}). */
    public static CostPadding about150M(Path source, Path target) {
        return new CostPadding(source, target, HIDDEN_150M, FEED_FORWARD_150M, BLOCKS_150M);
    }
}
