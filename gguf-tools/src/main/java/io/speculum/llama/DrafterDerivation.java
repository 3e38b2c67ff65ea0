package io.speculum.llama;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to derive from a verifier's GGUF: a drafter that shares its vocabulary by construction.
 *
 * @param source     the verifier's GGUF file
 * @param target     where to write the drafter (overwritten)
 * @param format     storage type of weight matrices; matrices whose rows are not a multiple of the format's block
 *                   size stay as they are (stories260K's {@code ffn_down} has rows of 172)
 * @param keepBlocks keep only the first N transformer blocks (self-speculative drafting), 0 to keep all
 */
public record DrafterDerivation(Path source, Path target, WeightFormat format, int keepBlocks) {

    public DrafterDerivation {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(format, "format");
        if (keepBlocks < 0) {
            throw new IllegalArgumentException("keepBlocks must be >= 0 (0 keeps all), got " + keepBlocks);
        }
        if (format == WeightFormat.KEEP && keepBlocks == 0) {
            throw new IllegalArgumentException("nothing to derive: give a weight format other than KEEP or a number of blocks to keep");
        }
        if (source.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("the drafter must not overwrite its source " + source);
        }
    }
}
