package io.speculum.gateway.cascade;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.gateway.GatewayApplication;
import io.speculum.gateway.backend.ReplyRouter;
import io.speculum.gateway.web.ApiKeys;
import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.CascadeRequest;
import io.speculum.protocol.CascadeTopicRecord;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A cascade call the gateway stops waiting for is cancelled on the router's topic: over real HTTP and a real broker,
 * with no router behind it, the test reads {@code llm.cascade} as the router would.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "spring.config.name=" + GatewayApplication.CONFIG_NAME, "management.server.port=0",
    "speculum.gateway.cascade-models=cascade",
    "resilience4j.timelimiter.instances.cascade.timeout-duration=2s"})
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers", topics = Topics.CASCADE)
class CascadeServiceTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String COMPLETION = """
            {"model":"cascade","prompt":"Once upon a time","max_tokens":4,"temperature":0}""";

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        registry.add("speculum.gateway.api-keys", () -> ApiKeys.hash("key-cascade"));
    }

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKafkaBroker broker;

    @Autowired
    ReplyRouter replies;

    private KafkaConsumer<String, byte[]> cascadeTopic;
    private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

    @BeforeEach
    void readTheCascadeTopic() {
        cascadeTopic = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-router-" + UUID.randomUUID()),
                new StringDeserializer(), new ByteArrayDeserializer());
        broker.consumeFromAnEmbeddedTopic(cascadeTopic, Topics.CASCADE);
        // from here on: an earlier test's records are not this one's
        cascadeTopic.seekToEnd(cascadeTopic.assignment());
        cascadeTopic.assignment().forEach(cascadeTopic::position);
    }

    @AfterEach
    void close() {
        cascadeTopic.close();
    }

    @Test
    void aCascadeCallThatTimesOutIsCancelledWithItsIdAsKey() throws Exception {
        HttpResponse<String> timedOut = post(Duration.ofSeconds(30));
        assertThat(timedOut.statusCode()).as(timedOut.body()).isEqualTo(503);
        assertThat(timedOut.body()).contains("\"timeout\"");

        ConsumerRecord<String, byte[]> request = awaitRecord(CascadeRequest.class);
        ConsumerRecord<String, byte[]> cancel = awaitRecord(CancelRequest.class);
        assertThat(request.key()).isEqualTo(read(request).requestId());
        assertThat(cancel.key()).as("the request's key: read after it").isEqualTo(request.key());
        assertThat(read(cancel)).isEqualTo(new CancelRequest(request.key(), "the gateway's time limit passed"));
        assertThat(replies.pendingCount()).isZero();
    }

    @Test
    void aCascadeCallWhoseClientGoesAwayIsCancelled() throws Exception {
        try {
            post(Duration.ofMillis(300)); // the client gives up well before the gateway's 2 s limit
        } catch (HttpTimeoutException expected) {
            // and closes the connection
        }
        ConsumerRecord<String, byte[]> request = awaitRecord(CascadeRequest.class);
        ConsumerRecord<String, byte[]> cancel = awaitRecord(CancelRequest.class);
        assertThat(cancel.key()).isEqualTo(request.key());
        assertThat(read(cancel)).isEqualTo(new CancelRequest(request.key(), "client disconnected"));
        assertThat(records).as("one cancel only").noneMatch(r -> read(r) instanceof CancelRequest);
    }

    /** The next record of that kind on llm.cascade, within a generous limit. */
    private ConsumerRecord<String, byte[]> awaitRecord(Class<? extends CascadeTopicRecord> type) {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            for (ConsumerRecord<String, byte[]> record : records) {
                if (type.isInstance(read(record))) {
                    records.remove(record);
                    return record;
                }
            }
            cascadeTopic.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        throw new AssertionError("no " + type.getSimpleName() + " on " + Topics.CASCADE + " within 30 s; read " + records.size());
    }

    private static CascadeTopicRecord read(ConsumerRecord<String, byte[]> record) {
        return ProtocolCodec.read(record.value(), CascadeTopicRecord.class);
    }

    private HttpResponse<String> post(Duration timeout) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/completions")).timeout(timeout)
                .header("Content-Type", "application/json").header("Authorization", "Bearer key-cascade")
                .POST(HttpRequest.BodyPublishers.ofString(COMPLETION)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
