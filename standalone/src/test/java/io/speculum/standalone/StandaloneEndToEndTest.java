package io.speculum.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import io.speculum.gateway.GatewayApplication;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.verifier.SpeculativeVerifier;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.ContainerTestUtils;
import tools.jackson.databind.JsonNode;

/**
 * The whole suite in one JVM, as the README's first command starts it: a real KRaft broker, the verifier and a
 * derived Q8_0 drafter on stories260K, and the gateway, driven over real HTTP with raw requests and with the official
 * OpenAI Java SDK. The last test stops the verifier.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneEndToEndTest {

    private static final String KEY = "e2e-key";
    /** Partitions of each topic the standalone's broker creates (its default). */
    private static final int PARTITIONS = 3;
    private static ConfigurableApplicationContext standalone;
    private static ServiceLauncher launcher;
    private static String api;

    @BeforeAll
    static void startSuite() {
        standalone = StandaloneApplication.builder().run(
                "--speculum.standalone.service-properties.server.port=0",
                "--speculum.standalone.service-properties.management.server.port=0",
                "--speculum.standalone.service-properties.resilience4j.timelimiter.instances.completions.timeout-duration=8s",
                "--speculum.standalone.service-properties.resilience4j.timelimiter.instances.chat-completions.timeout-duration=8s",
                "--speculum.standalone.api-key=" + KEY,
                "--speculum.standalone.models.cache-dir=" + Path.of("target", "speculum-cache").toAbsolutePath(),
                "--speculum.shared.dir=" + System.getProperty("speculum.shared.dir"));
        launcher = standalone.getBean(ServiceLauncher.class);
        api = "http://localhost:" + gateway().getEnvironment().getProperty("local.server.port");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> readiness(gateway()).path("status").asString().equals("UP"));
        // readiness needs only the verifier's group: a drafter still joining its group leaves the first draft requests
        // unread past the draft deadline, and the verifier then decodes alone (no drafts for the statistics tests)
        for (String service : List.of("verifier-service", "drafter-service")) {
            for (MessageListenerContainer container : launcher.services().get(service)
                    .getBean(KafkaListenerEndpointRegistry.class).getListenerContainers()) {
                ContainerTestUtils.waitForAssignment(container, PARTITIONS);
            }
        }
    }

    @AfterAll
    static void stopSuite() {
        if (standalone != null) {
            standalone.close();
        }
    }

    @Test
    @Order(1)
    void streamedCompletionEqualsTheNonStreamedOneAndItsStatisticsAddUp() throws Exception {
        String body = """
                {"model":"stories260K","prompt":"Once upon a time","max_tokens":40,"temperature":0,
                 "speculum":{"speculation":{"mode":"fixed","k":4},"stats":true}%s}""";
        Sse.Reply whole = Sse.post(api + "/v1/completions", KEY, body.formatted(""));
        assertThat(whole.status()).as(whole.response().body()).isEqualTo(200);
        assertThat(whole.json().path("object").asString()).isEqualTo("text_completion");
        String text = whole.json().at("/choices/0/text").asString();
        JsonNode usage = whole.json().path("usage");
        assertThat(text).isNotBlank();
        assertThat(usage.path("prompt_tokens").asInt()).isPositive();
        assertThat(usage.path("total_tokens").asInt())
                .isEqualTo(usage.path("prompt_tokens").asInt() + usage.path("completion_tokens").asInt());
        assertStatisticsAddUp(whole.json().at("/speculum/rounds").valueStream().toList(), usage,
                whole.json().at("/choices/0/finish_reason").asString());

        List<String> data = Sse.stream(api + "/v1/completions", KEY, body.formatted(",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
        assertThat(data.getLast()).isEqualTo("[DONE]");
        List<JsonNode> chunks = data.subList(0, data.size() - 1).stream().map(Sse.JSON::readTree).toList();
        StringBuilder streamed = new StringBuilder();
        List<JsonNode> rounds = new ArrayList<>();
        for (JsonNode chunk : chunks) {
            assertThat(chunk.path("object").asString()).isEqualTo("text_completion");
            chunk.path("choices").forEach(choice -> streamed.append(choice.path("text").asString()));
            if (chunk.has("speculum")) {
                rounds.add(chunk.path("speculum"));
            }
        }
        assertThat(streamed.toString()).isEqualTo(text);
        JsonNode usageChunk = chunks.getLast();
        assertThat(usageChunk.path("choices").isEmpty()).isTrue();
        // the same tokens; how many of them were drafted depends on timing (a late draft is decoded without)
        for (String count : List.of("prompt_tokens", "completion_tokens", "total_tokens")) {
            assertThat(usageChunk.at("/usage/" + count).asInt()).as(count).isEqualTo(usage.path(count).asInt());
        }
        String finish = chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asString();
        assertThat(finish).isEqualTo(whole.json().at("/choices/0/finish_reason").asString());
        assertStatisticsAddUp(rounds, usageChunk.path("usage"), finish);
    }

    @Test
    @Order(2)
    void streamedChatEqualsTheNonStreamedChatAlsoWhenSampledWithASeed() throws Exception {
        // a seeded sample is reproducible token for token by the target alone (or with point-mass drafts): with the
        // model drafter's sampled drafts only its distribution is, since the drafts depend on the drafter's numerics
        for (String sampling : List.of("\"temperature\":0", "\"temperature\":0.8,\"seed\":42")) {
            String speculation = sampling.contains("seed") ? "\"mode\":\"off\"" : "\"mode\":\"fixed\",\"k\":3";
            String body = """
                    {"model":"stories260K","messages":[{"role":"system","content":"You tell stories."},
                     {"role":"user","content":"Tell me about a cat"}],"max_tokens":32,%s,
                     "speculum":{"speculation":{%s}}%s}""";
            Sse.Reply whole = Sse.post(api + "/v1/chat/completions", KEY, body.formatted(sampling, speculation, ""));
            assertThat(whole.status()).as(whole.response().body()).isEqualTo(200);
            assertThat(whole.json().path("object").asString()).isEqualTo("chat.completion");
            assertThat(whole.json().at("/choices/0/message/role").asString()).isEqualTo("assistant");
            String content = whole.json().at("/choices/0/message/content").asString();
            assertThat(content).isNotEmpty();

            List<String> data = Sse.stream(api + "/v1/chat/completions", KEY, body.formatted(sampling, speculation, ",\"stream\":true"));
            assertThat(data.getLast()).isEqualTo("[DONE]");
            List<JsonNode> chunks = data.subList(0, data.size() - 1).stream().map(Sse.JSON::readTree).toList();
            assertThat(chunks.getFirst().at("/choices/0/delta/role").asString()).isEqualTo("assistant");
            StringBuilder streamed = new StringBuilder();
            chunks.forEach(chunk -> {
                assertThat(chunk.path("object").asString()).isEqualTo("chat.completion.chunk");
                assertThat(chunk.has("usage")).isFalse();
                streamed.append(chunk.at("/choices/0/delta/content").asString(""));
            });
            assertThat(streamed.toString()).as(sampling).isEqualTo(content);
            assertThat(chunks.getLast().at("/choices/0/finish_reason").asString())
                    .isEqualTo(whole.json().at("/choices/0/finish_reason").asString());
        }
    }

    @Test
    @Order(2)
    void theCallersW3cTraceContextTravelsWithTheRequestIntoKafka() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        var response = Sse.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/v1/completions"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"stories260K\",\"prompt\":\"Once upon a time\",\"max_tokens\":4,\"temperature\":0}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String id = Sse.JSON.readTree(response.body()).path("id").asString();

        String traceparent = null;
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(io.speculum.protocol.Topics.GENERATE));
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (traceparent == null && System.nanoTime() < until) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    var header = record.headers().lastHeader("traceparent");
                    if (id.equals(record.key()) && header != null) {
                        traceparent = new String(header.value(), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        assertThat(traceparent).as("traceparent header of the generate record").isNotNull()
                .matches("00-" + traceId + "-[0-9a-f]{16}-0[01]");
    }

    @Test
    @Order(3)
    void theOfficialOpenAiSdkWorksUnmodifiedStreamingIncluded() {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(api + "/v1").apiKey(KEY)
                .timeout(Duration.ofSeconds(60)).maxRetries(0).build();
        try {
            ChatCompletionCreateParams chat = ChatCompletionCreateParams.builder().model("stories260K")
                    .addUserMessage("Tell me a story").maxCompletionTokens(24).temperature(0.0).build();
            ChatCompletion completion = client.chat().completions().create(chat);
            String content = completion.choices().getFirst().message().content().orElseThrow();
            assertThat(content).isNotEmpty();
            assertThat(completion.usage().orElseThrow().completionTokens()).isPositive();

            StringBuilder streamed = new StringBuilder();
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(chat)) {
                stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append)));
            }
            assertThat(streamed.toString()).isEqualTo(content);

            Completion legacy = client.completions().create(CompletionCreateParams.builder().model("stories260K")
                    .prompt("Once upon a time").maxTokens(16).temperature(0.0).build());
            assertThat(legacy.choices().getFirst().text()).isNotEmpty();
            StringBuilder legacyStreamed = new StringBuilder();
            try (StreamResponse<Completion> stream = client.completions().createStreaming(CompletionCreateParams.builder()
                    .model("stories260K").prompt("Once upon a time").maxTokens(16).temperature(0.0).build())) {
                stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> legacyStreamed.append(choice.text())));
            }
            assertThat(legacyStreamed.toString()).isEqualTo(legacy.choices().getFirst().text());

            assertThat(client.models().list().data()).anySatisfy(model -> assertThat(model.id()).isEqualTo("stories260K"));
        } finally {
            client.close();
        }
    }

    @Test
    @Order(4)
    void aClientThatDisconnectsCancelsItsGenerationAndFreesTheVerifierSession() throws Exception {
        SpeculativeVerifier verifier = launcher.services().get("verifier-service").getBean(SpeculativeVerifier.class);
        String body = """
                {"model":"stories260K","prompt":"Once upon a time","max_tokens":500,"temperature":0,"stream":true,
                 "speculum":{"speculation":{"mode":"off"}}}""";
        HttpResponse<InputStream> response = Sse.HTTP.send(Sse.request(api + "/v1/completions", KEY, body),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        String id;
        try (InputStream in = response.body()) {
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String first = lines.readLine();
            assertThat(first).startsWith("data:");
            id = Sse.JSON.readTree(first.substring(5)).path("id").asString();
        }
        // the connection is gone: the gateway cancels, the verifier ends the generation early and frees its session
        GenerationEvent.Done done = awaitTerminal(replyTopic(gateway()), id);
        assertThat(done.finishReason()).isEqualTo(GenerationEvent.FinishReason.CANCELLED);
        assertThat(done.usage().completionTokens()).isLessThan(500);
        await().atMost(Duration.ofSeconds(10)).until(() -> verifier.activeSessions() == 0);
    }

    @Test
    @Order(5)
    void twoGatewayInstancesOnOneBrokerEachReceiveOnlyTheirOwnReplies() throws Exception {
        EmbeddedKafkaBroker broker = standalone.getBean(EmbeddedKafkaBroker.class);
        try (ConfigurableApplicationContext second = GatewayApplication.builder().run(
                "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(), "--server.port=0", "--management.server.port=0",
                "--speculum.gateway.instance-id=second-" + System.nanoTime(),
                "--speculum.gateway.api-keys=" + LocalApiKey.hash(KEY))) {
            String secondApi = "http://localhost:" + second.getEnvironment().getProperty("local.server.port");
            await().atMost(Duration.ofSeconds(30)).until(() -> readiness(second).path("status").asString().equals("UP"));
            String body = """
                    {"model":"stories260K","prompt":"The little dog","max_tokens":12,"temperature":0}""";
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<JsonNode>> first = new ArrayList<>();
                List<Future<JsonNode>> other = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    first.add(pool.submit(call(api, body)));
                    other.add(pool.submit(call(secondApi, body)));
                }
                Set<String> firstIds = ids(first);
                Set<String> otherIds = ids(other);
                String text = first.getFirst().get().at("/choices/0/text").asString();
                for (Future<JsonNode> reply : other) {
                    assertThat(reply.get().at("/choices/0/text").asString()).isEqualTo(text);
                }
                Set<String> onFirstTopic = keysOn(replyTopic(gateway()));
                Set<String> onOtherTopic = keysOn(replyTopic(second));
                assertThat(onFirstTopic).containsAll(firstIds).doesNotContainAnyElementsOf(otherIds);
                assertThat(onOtherTopic).containsExactlyInAnyOrderElementsOf(otherIds);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    @Order(6)
    void withTheVerifierStoppedRequestsGet503WithRetryAfterAtTheTimeLimitAndReadinessGoesDown() throws Exception {
        assertThat(readiness(gateway()).path("status").asString()).isEqualTo("UP");
        launcher.services().get("verifier-service").close();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> readiness(gateway()).path("status").asString().equals("DOWN"));

        long start = System.nanoTime();
        Sse.Reply reply = Sse.post(api + "/v1/chat/completions", KEY, """
                {"model":"stories260K","messages":[{"role":"user","content":"hi"}],"max_tokens":8}""");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(reply.status()).as(reply.response().body()).isEqualTo(503);
        assertThat(reply.response().headers().firstValue("Retry-After")).isPresent();
        assertThat(reply.json().at("/error/type").asString()).isEqualTo("service_unavailable_error");
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(7)).isLessThan(Duration.ofSeconds(30));
    }

    private static void assertStatisticsAddUp(List<JsonNode> rounds, JsonNode usage, String finishReason) {
        assertThat(rounds).isNotEmpty();
        int committed = 0;
        int drafted = 0;
        int accepted = 0;
        for (int i = 0; i < rounds.size(); i++) {
            JsonNode round = rounds.get(i);
            assertThat(round.path("round").asInt()).isEqualTo(i);
            assertThat(round.path("accepted").asInt()).isBetween(0, round.path("drafted").asInt());
            int tokens = round.path("tokens").asInt();
            // every round commits its accepted drafts plus one token of the verifier's own (round 0: the prefill's);
            // only the last may stop short, at a stop or at max_tokens
            if (i < rounds.size() - 1) {
                assertThat(tokens).as("round %d", i).isEqualTo(round.path("accepted").asInt() + 1);
            } else {
                assertThat(tokens).isBetween(1, round.path("accepted").asInt() + 1);
            }
            committed += tokens;
            drafted += round.path("drafted").asInt();
            accepted += round.path("accepted").asInt();
        }
        assertThat(committed).isEqualTo(usage.path("completion_tokens").asInt());
        assertThat(drafted).isPositive();
        JsonNode totals = usage.path("speculum");
        assertThat(totals.path("drafted_tokens").asInt()).isEqualTo(drafted);
        assertThat(totals.path("accepted_tokens").asInt()).isEqualTo(accepted);
        assertThat(totals.path("mean_accepted_length").asDouble()).isGreaterThanOrEqualTo(1.0);
        if (finishReason.equals("length")) {
            assertThat(committed).isEqualTo(40);
        }
    }

    private static Callable<JsonNode> call(String base, String body) {
        return () -> {
            Sse.Reply reply = Sse.post(base + "/v1/completions", KEY, body);
            assertThat(reply.status()).as(reply.response().body()).isEqualTo(200);
            return reply.json();
        };
    }

    private static Set<String> ids(List<Future<JsonNode>> replies) throws Exception {
        Set<String> ids = new HashSet<>();
        for (Future<JsonNode> reply : replies) {
            ids.add(reply.get().path("id").asString());
        }
        return ids;
    }

    private static ConfigurableApplicationContext gateway() {
        return launcher.services().get("gateway");
    }

    private static String replyTopic(ConfigurableApplicationContext gateway) {
        return gateway.getBean(io.speculum.gateway.backend.ReplyTopic.class).name();
    }

    private static JsonNode readiness(ConfigurableApplicationContext gateway) throws Exception {
        String port = gateway.getEnvironment().getProperty("local.management.port");
        var response = Sse.HTTP.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + port + "/actuator/health/readiness")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return Sse.JSON.readTree(response.body());
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, standalone.getBean(EmbeddedKafkaBroker.class).getBrokersAsString(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.GROUP_ID_CONFIG, "e2e-" + System.nanoTime()),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Every key (request id) on a reply topic so far. */
    private static Set<String> keysOn(String topic) {
        Set<String> keys = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(topic));
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < until) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    keys.add(record.key());
                }
            }
        }
        return keys;
    }

    /** The terminal event of a request as the verifier sent it to the reply topic. */
    private static GenerationEvent.Done awaitTerminal(String topic, String requestId) {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(topic));
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < until) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (requestId.equals(record.key())) {
                        GenerationEvent event = ProtocolCodec.read(record.value(), GenerationEvent.class);
                        if (event instanceof GenerationEvent.Done done) {
                            return done;
                        }
                        assertThat(event).isInstanceOf(GenerationEvent.Round.class);
                    }
                }
            }
        }
        throw new AssertionError("no terminal event for " + requestId + " on " + topic);
    }
}
