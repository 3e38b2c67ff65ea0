package io.speculum.standalone.reliability;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Streams of the gateway's OpenAI API, read as a client does: the text, how it ended, how long it took. A stream
 * that has not ended within {@link #STREAM_LIMIT} counts as hung (status -2), so that a hang fails a scenario instead
 * of stopping the harness.
 */
final class StreamClient {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Duration STREAM_LIMIT = Duration.ofSeconds(150);

    /** One client, one connection pool (HTTP/1.1 keep-alive, as most OpenAI clients). */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** How one request ended: HTTP status, the text streamed, whether {@code [DONE]} came, the finish reason. */
    record Outcome(int status, String text, boolean done, String finishReason, String errorCode, String retryAfter, double seconds) {

        boolean completed() {
            return status == 200 && done && finishReason != null;
        }
    }

    private final String api;
    private final String key;

    StreamClient(String api, String key) {
        this.api = api;
        this.key = key;
    }

    static String completion(String prompt, int maxTokens) {
        return JSON.createObjectNode().put("model", "stories260K").put("prompt", prompt).put("max_tokens", maxTokens)
                .put("temperature", 0).put("stream", true).toString();
    }

    static String chat(String content, int maxTokens) {
        var body = JSON.createObjectNode().put("model", "stories260K").put("max_tokens", maxTokens).put("temperature", 0).put("stream", true);
        body.putArray("messages").addObject().put("role", "user").put("content", content);
        return body.toString();
    }

    /**
     * Sends a streaming request and reads it to the end. {@code firstChunk} is counted down when the first text
     * arrives; with {@code disconnectAfterFirst} the client then hangs up (a cancel).
     */
    Outcome stream(String path, String body, CountDownLatch firstChunk, boolean disconnectAfterFirst) {
        return stream(path, body, firstChunk, disconnectAfterFirst, null);
    }

    /** The same, telling {@code textArrived} the {@link System#nanoTime()} of every chunk with text as it arrives. */
    Outcome stream(String path, String body, CountDownLatch firstChunk, boolean disconnectAfterFirst,
                   java.util.function.LongConsumer textArrived) {
        long start = System.nanoTime();
        java.util.concurrent.Future<Outcome> reading = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()
                .submit(() -> read(path, body, firstChunk, disconnectAfterFirst, start, textArrived));
        try {
            return reading.get(STREAM_LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException hung) {
            reading.cancel(true);
            return new Outcome(-2, "", false, null, "hung: no end within " + STREAM_LIMIT, null, seconds(start));
        } catch (Exception e) {
            return new Outcome(-1, "", false, null, e.toString(), null, seconds(start));
        }
    }

    private Outcome read(String path, String body, CountDownLatch firstChunk, boolean disconnectAfterFirst, long start,
                         java.util.function.LongConsumer textArrived) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(120))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                JsonNode error = JSON.readTree(response.body().readAllBytes()).path("error");
                return new Outcome(response.statusCode(), "", false, null, error.path("code").asString(null),
                        response.headers().firstValue("Retry-After").orElse(null), seconds(start));
            }
            StringBuilder text = new StringBuilder();
            String finish = null;
            boolean done = false;
            boolean counted = false;
            try (InputStream in = response.body();
                 BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!line.startsWith("data:")) {
                        continue;
                    }
                    String data = line.substring(5).strip();
                    if (data.equals("[DONE]")) {
                        done = true;
                        break;
                    }
                    JsonNode chunk = JSON.readTree(data);
                    if (chunk.has("error")) {
                        return new Outcome(200, text.toString(), false, null, chunk.path("error").path("code").asString(null), null, seconds(start));
                    }
                    JsonNode choice = chunk.path("choices").path(0);
                    String piece = choice.has("delta") ? choice.path("delta").path("content").asString("") : choice.path("text").asString("");
                    text.append(piece);
                    if (textArrived != null && !piece.isEmpty()) {
                        textArrived.accept(System.nanoTime());
                    }
                    if (!choice.path("finish_reason").isNull() && !choice.path("finish_reason").isMissingNode()) {
                        finish = choice.path("finish_reason").asString();
                    }
                    if (!counted && !piece.isEmpty()) {
                        counted = true;
                        if (firstChunk != null) {
                            firstChunk.countDown();
                        }
                        if (disconnectAfterFirst) {
                            return new Outcome(200, text.toString(), false, "client-cancelled", null, null, seconds(start));
                        }
                    }
                }
            }
            return new Outcome(200, text.toString(), done, finish, null, null, seconds(start));
        } catch (Exception e) {
            return new Outcome(-1, "", false, null, e.getClass().getSimpleName() + ": " + e.getMessage(), null, seconds(start));
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
