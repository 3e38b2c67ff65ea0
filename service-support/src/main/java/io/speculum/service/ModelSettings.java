package io.speculum.service;

import io.speculum.llama.ModelOptions;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a service finds one of its models and how to load it.
 *
 * @param path      the GGUF file
 * @param gpuLayers layers to offload (0 on CPU; -1 for all, with a GPU build of the library)
 * @param mmap      map the file instead of reading it
 */
public record ModelSettings(Path path, int gpuLayers, boolean mmap) {

    public ModelSettings {
        Objects.requireNonNull(path, "a model needs a path (speculum.<service>.model.path)");
    }

    ModelOptions toOptions() {
        return ModelOptions.of(path).withGpuLayers(gpuLayers).withMmap(mmap);
    }
}
