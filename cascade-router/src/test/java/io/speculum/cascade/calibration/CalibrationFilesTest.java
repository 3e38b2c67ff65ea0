package io.speculum.cascade.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calibration's JSONL files: prompts and judgements read with clear errors, examples written one per line. */
class CalibrationFilesTest {

    @TempDir
    Path dir;

    @Test
    void readsPromptsUpToTheLimitAndJudgementsWithTheirDefault() throws IOException {
        Path prompts = Files.writeString(dir.resolve("p.jsonl"), "{\"id\":1,\"prompt\":\"One\"}\n\n{\"id\":\"b\",\"prompt\":\"Two\"}\n"
                + "{\"id\":3,\"prompt\":\"Three\"}\n");
        assertThat(CalibrationFiles.readPrompts(prompts, 2)).containsExactly(new CalibrationFiles.Prompt("1", "One"),
                new CalibrationFiles.Prompt("b", "Two"));
        assertThat(CalibrationFiles.readPrompts(prompts, 0)).hasSize(3);
        Path judgements = Files.writeString(dir.resolve("j.jsonl"), "{\"id\":1,\"quality\":0.25}\n{\"id\":2,\"quality\":0.5,\"largeQuality\":0.75}\n");
        assertThat(CalibrationFiles.readJudgements(judgements)).containsEntry("1", new CalibrationFiles.Judgement(0.25, 1))
                .containsEntry("2", new CalibrationFiles.Judgement(0.5, 0.75)).hasSize(2);
    }

    @Test
    void aLineWithoutItsFieldsOrNotJsonIsAnInvalidFileNamingIt() throws IOException {
        Path noPrompt = Files.writeString(dir.resolve("p.jsonl"), "{\"id\":1}\n");
        assertThatThrownBy(() -> CalibrationFiles.readPrompts(noPrompt, 0)).isInstanceOf(CalibrationFiles.InvalidFile.class)
                .hasMessage(noPrompt + ": every line needs \"id\" and \"prompt\"");
        Path textQuality = Files.writeString(dir.resolve("j.jsonl"), "{\"id\":1,\"quality\":\"good\"}\n");
        assertThatThrownBy(() -> CalibrationFiles.readJudgements(textQuality)).isInstanceOf(CalibrationFiles.InvalidFile.class)
                .hasMessage(textQuality + ": every line needs \"id\" and a numeric \"quality\"");
        Path notJson = Files.writeString(dir.resolve("x.jsonl"), "id,prompt\n");
        assertThatThrownBy(() -> CalibrationFiles.readPrompts(notJson, 0)).isInstanceOf(CalibrationFiles.InvalidFile.class)
                .hasMessageStartingWith(notJson + " is not JSONL: ");
    }

    @Test
    void writesOneObjectPerLineCreatingTheFolder() throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", "7");
        line.put("margins", Arrays.asList(0.5, null));
        Path file = dir.resolve("out/examples.jsonl");
        CalibrationFiles.writeJsonLines(file, List.of(line, Map.of("id", "8")));
        assertThat(Files.readAllLines(file)).containsExactly("{\"id\":\"7\",\"margins\":[0.5,null]}", "{\"id\":\"8\"}");
    }
}
