package io.speculum.drafter.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.llama.Model;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DeriveCommandTest {

    private static final Path TARGET = Path.of(System.getProperty("speculum.shared.dir"), "models", "stories260K.gguf");

    @TempDir
    Path dir;

    @Test
    void writesAQuantisedShallowerDrafterWithTheSourcesVocabulary() {
        Path out = dir.resolve("d.gguf");
        StringWriter output = new StringWriter();
        int code = command(output).execute("--source", TARGET.toString(), "--target", out.toString(),
                "--format", "q8_0", "--keep-blocks", "2");

        assertThat(code).as(output.toString()).isZero();
        assertThat(output.toString()).contains("2 of 5 blocks").contains("same as the source");
        try (Model source = Model.load(TARGET); Model derived = Model.load(out)) {
            assertThat(derived.metadata().layerCount()).isEqualTo(2);
            assertThat(derived.vocabulary().fingerprint()).isEqualTo(source.vocabulary().fingerprint());
        }
    }

    @Test
    void badUsageIsRefusedWithItsReasonAndWritesNothing() {
        StringWriter errors = new StringWriter();
        CommandLine command = command(new StringWriter());
        command.setErr(new PrintWriter(errors));
        Path out = dir.resolve("none.gguf");

        int code = command.execute("--source", TARGET.toString(), "--target", out.toString());

        assertThat(code).isEqualTo(2);
        assertThat(errors.toString()).contains("nothing to derive");
        assertThat(Files.exists(out)).isFalse();
    }

    private static CommandLine command(StringWriter out) {
        CommandLine command = new CommandLine(new DeriveCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        command.setOut(new PrintWriter(out, true));
        return command;
    }
}
