package io.speculum.llama;

import java.nio.file.Path;

/**
 * What {@link CostPadder} wrote: the source's and the padded shape.
 *
 * @param parameters weights in the padded file (every tensor element)
 */
public record PaddedTarget(Path file, Shape source, Shape padded, long parameters, long bytes) {

    /** The shape hyper-parameters a padding changes. */
    public record Shape(int hiddenSize, int feedForwardSize, int blocks, int heads, int kvHeads) {
    }
}
