package io.speculum.llama;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link DrafterDeriver} wrote.
 *
 * @param converted tensors stored in the requested format
 * @param unchanged tensors copied as they were, each with the reason
 */
public record DerivedDrafter(Path file, int sourceBlocks, int blocks, WeightFormat format, long bytes,
                             List<String> converted, List<String> unchanged) {

    public DerivedDrafter {
        converted = List.copyOf(converted);
        unchanged = List.copyOf(unchanged);
    }
}
