package io.speculum.llama;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Finds the llama.cpp shared library: a configured file (e.g. a CUDA build of the same llama.cpp version), or the
 * library shipped inside java-llama.cpp's jar for this OS and architecture, extracted into a private directory.
 *
 * <p>The private directory matters: java-llama.cpp's own loader deletes every {@code jllama*} file in its temp
 * directory at start-up. We also point {@code de.kherud.llama.lib.path} at our copy, so that if java-llama.cpp's JNI
 * API is used in the same process it opens the very same file and shares one library handle with us.
 */
public final class LibraryLocator {

    /** System property naming the library file to load instead of the bundled one. */
    public static final String LIBRARY_PROPERTY = "speculum.llama.library";
    /** Environment variable with the same meaning as {@link #LIBRARY_PROPERTY}. */
    public static final String LIBRARY_ENV = "SPECULUM_LLAMA_LIBRARY";
    /** System property naming the directory the bundled library is extracted into. */
    public static final String EXTRACT_DIR_PROPERTY = "speculum.llama.tmpdir";

    private static final String JLLAMA_LIB_PATH = "de.kherud.llama.lib.path";

    private LibraryLocator() {
    }

    /** The library file to open, extracting the bundled one if nothing is configured. */
    public static Path locate() {
        String configured = System.getProperty(LIBRARY_PROPERTY, System.getenv(LIBRARY_ENV));
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured).toAbsolutePath();
            if (!Files.isRegularFile(path)) {
                throw new LlamaException(LlamaException.Code.LIBRARY_UNAVAILABLE, "Configured llama library " + path + " (" + LIBRARY_PROPERTY + " / "
                        + LIBRARY_ENV + ") does not exist or is not a file");
            }
            return path;
        }
        return extractBundled();
    }

    /** Resource path of java-llama.cpp's library for the running OS and architecture. */
    public static String bundledResource() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String archDir = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> throw new LlamaException(LlamaException.Code.LIBRARY_UNAVAILABLE, "No bundled llama library for architecture " + arch
                    + "; set " + LIBRARY_PROPERTY + " to a libjllama built for it");
        };
        if (os.contains("linux")) {
            return "de/kherud/llama/Linux/" + archDir + "/libjllama.so";
        }
        if (os.contains("mac") || os.contains("darwin")) {
            return "de/kherud/llama/Mac/" + archDir + "/libjllama.dylib";
        }
        if (os.contains("windows")) {
            return "de/kherud/llama/Windows/" + archDir + "/jllama.dll";
        }
        throw new LlamaException(LlamaException.Code.LIBRARY_UNAVAILABLE, "No bundled llama library for OS " + os + "; set " + LIBRARY_PROPERTY);
    }

    private static Path extractBundled() {
        String resource = bundledResource();
        try (InputStream in = LibraryLocator.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new LlamaException(LlamaException.Code.LIBRARY_UNAVAILABLE, "java-llama.cpp's library " + resource
                        + " is not on the class path (is de.kherud:llama:4.2.0 a dependency?)");
            }
            Path dir = extractDirectory();
            Path target = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
            Path partial = Files.createTempFile(dir, "partial-", ".tmp");
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            target.toFile().deleteOnExit();
            if (System.getProperty(JLLAMA_LIB_PATH) == null) {
                System.setProperty(JLLAMA_LIB_PATH, dir.toString());
            }
            return target;
        } catch (IOException e) {
            throw new LlamaException(LlamaException.Code.LIBRARY_UNAVAILABLE, "Cannot extract the llama library " + resource + ": " + e.getMessage(), e);
        }
    }

    private static Path extractDirectory() throws IOException {
        String configured = System.getProperty(EXTRACT_DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            // A sub-directory per process: two JVMs must never overwrite a library the other has mapped.
            Path base = Files.createDirectories(Path.of(configured));
            Path dir = Files.createTempDirectory(base, "speculum-llama-");
            dir.toFile().deleteOnExit();
            return dir;
        }
        Path dir = Files.createTempDirectory("speculum-llama-");
        dir.toFile().deleteOnExit();
        return dir;
    }
}
