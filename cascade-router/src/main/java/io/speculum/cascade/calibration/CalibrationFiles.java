package io.speculum.cascade.calibration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The calibration's JSONL files: the prompts and judgements it reads, the answered examples it writes. */
final class CalibrationFiles {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A file that is not what its option asks for; the command reports it as a usage error. */
    static final class InvalidFile extends RuntimeException {
        InvalidFile(String message) {
            super(message);
        }
    }

    /** One prompt to answer. */
    record Prompt(String id, String text) {
    }

    /** A user's judgement of one prompt's answers. */
    record Judgement(double smallQuality, double largeQuality) {
    }

    private CalibrationFiles() {
    }

    /** Lines with {@code "id"} and {@code "prompt"}, the first {@code limit} (0: all). */
    static List<Prompt> readPrompts(Path file, int limit) {
        List<Prompt> result = new ArrayList<>();
        for (JsonNode line : readJsonLines(file)) {
            if (!line.hasNonNull("id") || !line.hasNonNull("prompt")) {
                throw new InvalidFile(file + ": every line needs \"id\" and \"prompt\"");
            }
            result.add(new Prompt(line.get("id").asString(), line.get("prompt").asString()));
            if (limit > 0 && result.size() == limit) {
                break;
            }
        }
        return result;
    }

    /** Lines with {@code "id"}, a numeric {@code "quality"} and optionally {@code "largeQuality"} (default 1), by id. */
    static Map<String, Judgement> readJudgements(Path file) {
        Map<String, Judgement> result = new HashMap<>();
        for (JsonNode line : readJsonLines(file)) {
            if (!line.hasNonNull("id") || !line.path("quality").isNumber()) {
                throw new InvalidFile(file + ": every line needs \"id\" and a numeric \"quality\"");
            }
            result.put(line.get("id").asString(), new Judgement(line.get("quality").asDouble(),
                    line.path("largeQuality").isNumber() ? line.get("largeQuality").asDouble() : 1));
        }
        return result;
    }

    /** One JSON object per line, the folders created where missing. */
    static void writeJsonLines(Path file, List<Map<String, Object>> lines) {
        StringBuilder text = new StringBuilder();
        for (Map<String, Object> line : lines) {
            text.append(JSON.writeValueAsString(line)).append('\n');
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static List<JsonNode> readJsonLines(Path file) {
        try {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    nodes.add(JSON.readTree(line));
                }
            }
            return nodes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (JacksonException e) {
            throw new InvalidFile(file + " is not JSONL: " + e.getOriginalMessage());
        }
    }
}
