package io.speculum.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerateTopicRecord;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.ResumePoint;
import io.speculum.protocol.Topics;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's half of a verifier failover, over a real broker and real HTTP, with the test in the verifiers' place:
 * the first "verifier" sends two rounds and falls silent; the gateway sends the request again after
 * {@code resume-after} with exactly the tokens its client got; a second "verifier" replays the generation from the
 * start in other rounds (overlapping what the client has) while the first one's last round arrives again late. The
 * client's stream has every position once.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "spring.config.name=" + GatewayApplication.CONFIG_NAME, "management.server.port=0",
    "speculum.gateway.resume-after=600ms",
    "speculum.gateway.api-keys=" + GatewayApplicationTest.KEY_HASH})
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class GatewayFailoverTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Value("${local.management.port}")
    int managementPort;

    @Value("${spring.kafka.bootstrap-servers}")
    String brokers;

    /** A round event of the completion " upon a time, there was" (tokens 101..106). */
    private static GenerationEvent.Round round(String id, int round, int position, int textOffset, int[] tokens, String text) {
        return new GenerationEvent.Round(id, round, tokens, text, null, null, null, null, position, textOffset);
    }

    @Test
    void aGenerationWhoseVerifierFallsSilentIsSentAgainFromWhatTheClientHasAndEachPositionReachesItOnce() throws Exception {
        try (KafkaConsumer<String, byte[]> verifiers = new KafkaConsumer<>(Map.of("bootstrap.servers", brokers,
                "group.id", "test-verifiers", "auto.offset.reset", "earliest"), new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> replies = new KafkaProducer<>(Map.of("bootstrap.servers", brokers),
                     new StringSerializer(), new ByteArraySerializer())) {
            verifiers.subscribe(List.of(Topics.GENERATE));
            while (verifiers.assignment().isEmpty()) {
                verifiers.poll(Duration.ofMillis(100));
            }
            CompletableFuture<String> client = CompletableFuture.supplyAsync(this::streamCompletion);

            GenerateRequest request = next(verifiers, Duration.ofSeconds(30), 0);
            assertThat(request.resume()).isNull();
            String id = request.requestId();
            send(replies, request, round(id, 0, 0, 0, new int[] {101}, " upon"));
            send(replies, request, round(id, 1, 1, 5, new int[] {102, 103}, " a time"));
            long silentFrom = System.nanoTime();

            // (copies sent before the first round, with nothing to resume from, are skipped: a verifier drops them)
            GenerateRequest again = next(verifiers, Duration.ofSeconds(10), 1);
            double resentAfter = (System.nanoTime() - silentFrom) / 1e9;
            assertThat(again.requestId()).isEqualTo(id);
            assertThat(again.resume()).isEqualTo(new ResumePoint(2, new int[] {101, 102, 103}));
            assertThat(again.prompt()).isEqualTo(request.prompt());
            assertThat(resentAfter).as("sent again after resume-after (0.6 s)").isBetween(0.5, 5.0);

            // the second verifier replays from the start in other rounds; the first one's last round comes again late
            send(replies, again, round(id, 0, 0, 0, new int[] {101, 102}, " upon a"));
            send(replies, again, round(id, 1, 2, 7, new int[] {103, 104, 105}, " time, there"));
            send(replies, request, round(id, 1, 1, 5, new int[] {102, 103}, " a time"));
            send(replies, again, round(id, 2, 5, 19, new int[] {106}, " was"));
            send(replies, again, new GenerationEvent.Done(id, 3, GenerationEvent.FinishReason.LENGTH, "",
                    new GenerationEvent.Usage(1, 6), new GenerationEvent.GenerationStats(2, 0, 0, 1)));

            assertThat(client.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(" upon a time, there was|length");
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + managementPort + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern("(?m)^speculum_gateway_generation_resends_total(\\{[^}]*})? [1-9]");
        }
    }

    /** Streams a completion and returns its text and finish reason as {@code text|reason}. */
    private String streamCompletion() {
        try {
            HttpRequest post = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/completions"))
                    .header("Authorization", "Bearer " + GatewayApplicationTest.KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"model":"stories260K","prompt":"Once","max_tokens":6,"temperature":0,"stream":true}""")).build();
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(post, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            StringBuilder text = new StringBuilder();
            String finish = null;
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!line.startsWith("data:") || line.contains("[DONE]")) {
                        continue;
                    }
                    JsonNode choice = JSON.readTree(line.substring(5)).path("choices").path(0);
                    text.append(choice.path("text").asString(""));
                    if (choice.hasNonNull("finish_reason")) {
                        finish = choice.path("finish_reason").asString();
                    }
                }
            }
            return text + "|" + finish;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next generate request with at least {@code resumed} resumed tokens. */
    private static GenerateRequest next(KafkaConsumer<String, byte[]> consumer, Duration limit, int resumed) {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                if (ProtocolCodec.read(record.value(), GenerateTopicRecord.class) instanceof GenerateRequest request
                        && request.resumedTokens().length >= resumed) {
                    return request;
                }
            }
        }
        throw new AssertionError("no generate request on " + Topics.GENERATE + " within " + limit);
    }

    private static void send(KafkaProducer<String, byte[]> producer, GenerateRequest request, GenerationEvent event) throws Exception {
        producer.send(new ProducerRecord<>(request.replyTopic(), request.requestId(), ProtocolCodec.write(event))).get();
    }
}
