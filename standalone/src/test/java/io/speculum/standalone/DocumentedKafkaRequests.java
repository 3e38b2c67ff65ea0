package io.speculum.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client-side Kafka records the docs show, read out of the markdown as written: lines {@code client → topic {…}}
 * or {@code → topic {…}} in the docs' examples, a record running on over the following lines until its braces close,
 * and the record of a {@code kcat -P} command line ({@code echo 'key|{…}' | kcat -P … -t topic}).
 */
record DocumentedKafkaRequests(String document, String topic, String key, String json) {

    private static final Pattern ARROW = Pattern.compile("^(?:client\\s+)?→\\s+(llm\\.[\\w.-]+)\\s+(\\{.*)$");
    private static final Pattern KCAT = Pattern.compile("echo '([^|']+)\\|(\\{[^']*})' \\| kcat -P .*-t (llm\\.[\\w.-]+)");
    private static final Pattern REQUEST_ID = Pattern.compile("\"requestId\"\\s*:\\s*\"([^\"]+)\"");

    static List<DocumentedKafkaRequests> in(Path document) throws IOException {
        List<String> lines = Files.readAllLines(document);
        List<DocumentedKafkaRequests> requests = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher arrow = ARROW.matcher(lines.get(i).strip());
            if (arrow.matches()) {
                StringBuilder json = new StringBuilder();
                String rest = arrow.group(2);
                int depth = 0;
                while (true) {
                    for (int c = 0; c < rest.length(); c++) {
                        char ch = rest.charAt(c);
                        depth += ch == '{' ? 1 : ch == '}' ? -1 : 0;
                        if (depth == 0) {
                            rest = rest.substring(0, c + 1);
                            break;
                        }
                    }
                    json.append(rest.strip());
                    if (depth == 0 || ++i >= lines.size()) {
                        break;
                    }
                    rest = lines.get(i);
                }
                requests.add(new DocumentedKafkaRequests(document.getFileName().toString(), arrow.group(1), requestId(json.toString()),
                        json.toString()));
            }
            Matcher kcat = KCAT.matcher(lines.get(i));
            if (kcat.find()) {
                requests.add(new DocumentedKafkaRequests(document.getFileName().toString(), kcat.group(3), kcat.group(1), kcat.group(2)));
            }
        }
        return requests;
    }

    private static String requestId(String json) {
        Matcher id = REQUEST_ID.matcher(json);
        if (!id.find()) {
            throw new IllegalStateException("a documented request without a requestId: " + json);
        }
        return id.group(1);
    }

    boolean isCancel() {
        return json.contains("\"type\":\"cancel\"");
    }
}
