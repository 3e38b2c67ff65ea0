package io.speculum.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The prompts of {@code prompts-a.jsonl}, in file order. */
final class Prompts {

    private static final Pattern PROMPT = Pattern.compile("\"prompt\": \"((?:[^\"\\\\]|\\\\.)*)\"");

    private Prompts() {
    }

    static List<String> first(Path file, int n) throws IOException {
        List<String> prompts = Files.readAllLines(file).stream().limit(n).map(line -> {
            Matcher m = PROMPT.matcher(line);
            if (!m.find()) {
                throw new IllegalStateException("no prompt in " + line);
            }
            return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
        }).toList();
        if (prompts.size() < n) {
            throw new IllegalStateException(file + " has " + prompts.size() + " prompts, the run needs " + n);
        }
        return prompts;
    }
}
