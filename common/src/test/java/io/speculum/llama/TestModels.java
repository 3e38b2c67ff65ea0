package io.speculum.llama;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared test models and data, found through the {@code speculum.shared.dir} system property. */
public final class TestModels {

    public static final String STORIES_260K = "stories260K.gguf";
    public static final String TINYSTORIES_656K = "TinyStories-656K-f32.gguf";
    public static final String BABYLLAMA = "babyllama-tok105.gguf";
    public static final String LLAMA2_RANDOM = "llama-2-tiny-random.gguf";
    public static final String[] ALL = {STORIES_260K, TINYSTORIES_656K, BABYLLAMA, LLAMA2_RANDOM};

    private TestModels() {
    }

    public static Path sharedDir() {
        Path dir = Path.of(System.getProperty("speculum.shared.dir", "../../shared")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("models"))) {
            throw new IllegalStateException("Test models not found under " + dir
                    + "; set -Dspeculum.shared.dir to the directory holding models/ and data/");
        }
        return dir;
    }

    public static Path model(String file) {
        return sharedDir().resolve("models").resolve(file);
    }

    public static Path data(String relative) {
        return sharedDir().resolve("data").resolve(relative);
    }
}
