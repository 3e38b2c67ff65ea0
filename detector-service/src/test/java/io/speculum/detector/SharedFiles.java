package io.speculum.detector;

import java.nio.file.Path;

/** The shared models and data (system property {@code speculum.shared.dir}, which surefire sets). */
final class SharedFiles {

    static final String STORIES_260K = "stories260K.gguf";
    static final String TINYSTORIES_656K = "TinyStories-656K-f32.gguf";

    private SharedFiles() {
    }

    static Path model(String file) {
        return Path.of(System.getProperty("speculum.shared.dir", "../../shared"), "models", file).toAbsolutePath().normalize();
    }

    static Path data(String relative) {
        return Path.of(System.getProperty("speculum.shared.dir", "../../shared"), "data", relative).toAbsolutePath().normalize();
    }
}
