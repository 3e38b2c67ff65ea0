package io.speculum.llama;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to load a GGUF model.
 *
 * @param path       the GGUF file
 * @param gpuLayers  layers to offload to a GPU backend (0 on CPU builds; -1 = all)
 * @param useMmap    map the file rather than read it (shares pages between processes)
 * @param vocabOnly  load only the vocabulary (tokenizer services, fingerprints); no context can be created
 */
public record ModelOptions(Path path, int gpuLayers, boolean useMmap, boolean vocabOnly) {

    public ModelOptions {
        Objects.requireNonNull(path, "path");
        if (gpuLayers < -1) {
            throw new IllegalArgumentException("gpuLayers must be >= -1 (-1 = all), got " + gpuLayers);
        }
    }

    public static ModelOptions of(Path path) {
        return new ModelOptions(path, 0, true, false);
    }

    public static ModelOptions vocabularyOnly(Path path) {
        return new ModelOptions(path, 0, true, true);
    }

    public ModelOptions withGpuLayers(int layers) {
        return new ModelOptions(path, layers, useMmap, vocabOnly);
    }

    public ModelOptions withMmap(boolean mmap) {
        return new ModelOptions(path, gpuLayers, mmap, vocabOnly);
    }
}
