package io.speculum.detector.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/** Labelled texts as JSON lines ({@code {"id", "text", "machine", "split"}}). */
public final class LabelledTexts {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private LabelledTexts() {
    }

    public static void write(Path file, List<LabelledText> texts) {
        List<String> lines = new ArrayList<>();
        for (LabelledText t : texts) {
            lines.add(JSON.writeValueAsString(t));
        }
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static List<LabelledText> read(Path file, Split split) {
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank())
                    .map(l -> JSON.readValue(l, LabelledText.class))
                    .filter(t -> split == null || t.split() == split)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
