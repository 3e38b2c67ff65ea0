package io.speculum.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * docker/Dockerfile read into its stages and instructions (comments dropped, continuation lines joined), as the
 * Dockerfile grammar defines them. Not BuildKit: there is no Docker engine here, so the test checks structure and
 * values, and docs/deployment.md gives the build commands for a machine with one.
 *
 * @param stages stage name (or index) -> its instructions, in order
 */
record Dockerfile(Map<String, List<Instruction>> stages, List<String> stageOrder, String defaultBase) {

    record Instruction(String keyword, String arguments) {
    }

    static Dockerfile parse(String text) {
        List<String> logical = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (!current.isEmpty() && trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
            } else {
                current.append(trimmed);
                logical.add(current.toString().strip());
                current.setLength(0);
            }
        }
        if (!current.isEmpty()) {
            throw new IllegalArgumentException("the Dockerfile ends inside a continued line");
        }
        Map<String, List<Instruction>> stages = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        List<Instruction> stage = null;
        String lastBase = null;
        for (String line : logical) {
            int space = line.indexOf(' ');
            String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            String arguments = space < 0 ? "" : line.substring(space + 1).strip();
            if (!KEYWORDS.contains(keyword)) {
                throw new IllegalArgumentException("unknown Dockerfile instruction " + keyword + " in: " + line);
            }
            if (keyword.equals("FROM")) {
                String[] parts = arguments.split("\\s+");
                String name = parts.length == 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : String.valueOf(order.size());
                stage = new ArrayList<>();
                stages.put(name, stage);
                order.add(name);
                lastBase = parts[0];
            } else if (stage == null && !keyword.equals("ARG")) {
                throw new IllegalArgumentException(keyword + " before the first FROM");
            }
            if (stage != null) {
                stage.add(new Instruction(keyword, arguments));
            }
        }
        return new Dockerfile(stages, order, lastBase);
    }

    List<Instruction> stage(String name) {
        List<Instruction> instructions = stages.get(name);
        if (instructions == null) {
            throw new IllegalArgumentException("no stage " + name + " in " + stages.keySet());
        }
        return instructions;
    }

    static List<String> arguments(List<Instruction> stage, String keyword) {
        return stage.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    private static final List<String> KEYWORDS = List.of("FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY",
            "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL", "MAINTAINER");
}
