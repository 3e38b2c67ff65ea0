package io.speculum.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.llama.LibraryLocator;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA image's mechanism with the CPU library: a libjllama at /opt/llama/lib-like path named by
 * SPECULUM_LLAMA_LIBRARY and -Dspeculum.llama.library (as docker/Dockerfile's cuda target sets them) is the library
 * a service opens, and it computes what the bundled one computes.
 */
class LibraryOverrideTest {

    @Test
    void aServiceOpensTheLibraryTheImageNames(@TempDir Path dir) throws Exception {
        Path model = Path.of(System.getProperty("speculum.shared.dir", "../../shared"), "models", "stories260K.gguf").toAbsolutePath();
        Map<String, String> bundled = probe(dir.resolve("tmp-a"), model, null);
        assertThat(bundled.get("build")).isEqualTo("4916");

        Path library = Files.createDirectories(dir.resolve("opt/llama/lib")).resolve("libjllama.so");
        try (InputStream in = LibraryLocator.class.getClassLoader().getResourceAsStream(LibraryLocator.bundledResource())) {
            Files.copy(in, library);
        }
        Map<String, String> overridden = probe(dir.resolve("tmp-b"), model, library);
        assertThat(overridden.get("library")).isEqualTo(library.toString());
        assertThat(overridden.get("build")).isEqualTo("4916");
        assertThat(overridden.get("next")).isEqualTo(bundled.get("next"));
        assertThat(bundled.get("library")).isNotEqualTo(library.toString());
    }

    private static Map<String, String> probe(Path tmp, Path model, Path library) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dde.kherud.llama.tmpdir=" + tmp, "-Dspeculum.llama.tmpdir=" + tmp));
        if (library != null) {
            command.add("-Dspeculum.llama.library=" + library);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LibraryOverrideProbe.class.getName(), model.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove(LibraryLocator.LIBRARY_ENV);
        if (library != null) {
            builder.environment().put(LibraryLocator.LIBRARY_ENV, library.toString());
            builder.environment().put("LD_LIBRARY_PATH", library.getParent().toString());
        }
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        Map<String, String> values = new java.util.HashMap<>();
        output.lines().filter(l -> l.matches("(library|build|next)=.*")).forEach(l -> values.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        assertThat(values).as(output).containsKeys("library", "build", "next");
        return values;
    }
}
