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

class PadCommandTest {

    private static final Path TARGET = Path.of(System.getProperty("speculum.shared.dir"), "models", "stories260K.gguf");

    @TempDir
    Path dir;

    @Test
    void writesAWiderDeeperCopyWithTheSourcesVocabulary() {
        Path out = dir.resolve("padded.gguf");
        StringWriter output = new StringWriter();
        int code = command(output, new StringWriter()).execute("--source", TARGET.toString(), "--target", out.toString(),
                "--hidden", "256", "--ffn", "256", "--blocks", "6");

        assertThat(code).as(output.toString()).isZero();
        assertThat(output.toString()).contains("parameters").contains("hidden 64 -> 256").contains("blocks 5 -> 6");
        try (Model source = Model.load(TARGET); Model padded = Model.load(out)) {
            assertThat(padded.metadata().layerCount()).isEqualTo(6);
            assertThat(padded.metadata().embeddingSize()).isEqualTo(256);
            assertThat(padded.vocabulary().fingerprint()).isEqualTo(source.vocabulary().fingerprint());
        }
    }

    @Test
    void aPaddingThatWouldShrinkFailsWithItsReasonAndWritesNothing() {
        StringWriter errors = new StringWriter();
        Path out = dir.resolve("none.gguf");

        int code = command(new StringWriter(), errors).execute("--source", TARGET.toString(), "--target", out.toString(),
                "--hidden", "32");

        assertThat(code).isEqualTo(1);
        assertThat(errors.toString()).contains("cannot shrink");
        assertThat(Files.exists(out)).isFalse();
    }

    private static CommandLine command(StringWriter out, StringWriter err) {
        CommandLine command = new CommandLine(new PadCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command;
    }
}
