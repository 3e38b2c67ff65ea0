package io.speculum.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** The checkout under test (surefire passes its root) and YAML reading. */
final class Repository {

    private Repository() {
    }

    static Path root() {
        return Path.of(System.getProperty("speculum.repository.dir", "..")).toAbsolutePath().normalize();
    }

    static Path file(String relative) {
        return root().resolve(relative);
    }

    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> yaml(Path path) {
        return new Yaml(new LoaderOptions()).load(read(path));
    }

    /** Every document of a multi-document YAML stream, empty ones left out. */
    static List<Map<String, Object>> yamlDocuments(String text) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml(new LoaderOptions()).loadAll(text)) {
            if (document instanceof Map<?, ?> map) {
                documents.add(Nodes.map(map));
            }
        }
        return documents;
    }
}
