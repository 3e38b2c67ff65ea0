package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaLibraryTest {

    @Test
    void loadsTheBundledLibraryOfTheExpectedBuild() {
        LlamaLibrary lib = LlamaLibrary.get();
        assertThat(lib.buildNumber()).isEqualTo(4916);
        assertThat(lib.commit()).startsWith("c6af2161");
        assertThat(Files.isRegularFile(lib.path())).isTrue();
        // java-llama.cpp's JNI loader is pointed at the same file, so both share one library handle
        assertThat(System.getProperty("de.kherud.llama.lib.path")).isEqualTo(lib.path().getParent().toString());
        assertThat(LlamaLibrary.get()).isSameAs(lib);
    }

    @Test
    void refusesALibraryOfAnotherBuild(@TempDir Path dir) throws Exception {
        Path source = Files.writeString(dir.resolve("fake.c"),
                "int LLAMA_BUILD_NUMBER = 5123;\nconst char * LLAMA_COMMIT = \"0123abcd\";\n");
        Path library = dir.resolve("libfakellama.so");
        compile(source, library);
        assertThatThrownBy(() -> LlamaLibrary.open(library))
                .isInstanceOf(LlamaException.class)
                .hasMessageContaining("build b5123")
                .hasMessageContaining("written for b4916")
                .satisfies(e -> assertThat(((LlamaException) e).code()).isEqualTo(LlamaException.Code.LIBRARY_MISMATCH));
    }

    @Test
    void refusesALibraryThatIsNotLlamaCpp(@TempDir Path dir) throws Exception {
        Path source = Files.writeString(dir.resolve("other.c"), "int answer(void) { return 42; }\n");
        Path library = dir.resolve("libother.so");
        compile(source, library);
        assertThatThrownBy(() -> LlamaLibrary.open(library))
                .isInstanceOf(LlamaException.class)
                .hasMessageContaining("not a llama.cpp library");
        assertThatThrownBy(() -> LlamaLibrary.open(dir.resolve("missing.so")))
                .isInstanceOf(LlamaException.class)
                .hasMessageContaining("Cannot open the llama library");
    }

    @Test
    void aConfiguredLibraryPathIsUsedAndChecked(@TempDir Path dir) {
        String previous = System.getProperty(LibraryLocator.LIBRARY_PROPERTY);
        try {
            Path bundled = LlamaLibrary.get().path();
            System.setProperty(LibraryLocator.LIBRARY_PROPERTY, bundled.toString());
            assertThat(LibraryLocator.locate()).isEqualTo(bundled.toAbsolutePath());
            // the same file through the configured path passes the build check
            assertThat(LlamaLibrary.open(LibraryLocator.locate()).buildNumber()).isEqualTo(4916);
            System.setProperty(LibraryLocator.LIBRARY_PROPERTY, dir.resolve("libjllama-cuda.so").toString());
            assertThatThrownBy(LibraryLocator::locate)
                    .isInstanceOf(LlamaException.class)
                    .hasMessageContaining("does not exist");
        } finally {
            if (previous == null) {
                System.clearProperty(LibraryLocator.LIBRARY_PROPERTY);
            } else {
                System.setProperty(LibraryLocator.LIBRARY_PROPERTY, previous);
            }
        }
    }

    @Test
    void theBundledResourceMatchesThisPlatform() {
        String resource = LibraryLocator.bundledResource();
        assertThat(LibraryLocator.class.getClassLoader().getResource(resource)).as(resource).isNotNull();
    }

    private static void compile(Path source, Path library) throws IOException, InterruptedException {
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", library.toString(), source.toString())
                .redirectErrorStream(true).start();
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as(new String(gcc.getInputStream().readAllBytes())).isZero();
    }
}
