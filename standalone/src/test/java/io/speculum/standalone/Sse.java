package io.speculum.standalone;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Plain HTTP against the gateway: JSON posts and server-sent event streams read line by line. */
final class Sse {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final JsonMapper JSON = JsonMapper.builder().build();

    private Sse() {
    }

    record Reply(int status, HttpResponse<String> response, JsonNode json) {
    }

    static HttpRequest request(String url, String key, String body) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static Reply post(String url, String key, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(request(url, key, body), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response, JSON.readTree(response.body()));
    }

    /** Every {@code data:} payload of a stream, {@code [DONE]} included, as raw strings. */
    static List<String> stream(String url, String key, String body) throws Exception {
        HttpResponse<InputStream> response = HTTP.send(request(url, key, body), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new AssertionError("status " + response.statusCode() + ": " + new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
        }
        List<String> data = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("data:")) {
                    data.add(line.substring(5).strip());
                }
            }
        }
        return data;
    }
}
