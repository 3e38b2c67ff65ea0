package io.speculum.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.speculum.protocol.GenerateTopicRecord;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.ProtocolError.ErrorCode;
import io.speculum.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * The shared error handler, against a real broker: an unreadable request that names its id and reply topic is
 * answered INVALID_REQUEST on that topic (created by the service, its name matching the pattern) and dead-lettered;
 * one that names nothing is only dead-lettered; a reply to a missing topic the services may not create is counted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, classes = UnreadableRequestsAreAnsweredTest.App.class,
        properties = {"spring.kafka.consumer.auto-offset-reset=earliest", "management.server.port=-1",
            "logging.level.org.apache.kafka=warn", "logging.level.kafka=warn", "logging.level.state.change.logger=warn"})
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class UnreadableRequestsAreAnsweredTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        Listener listener() {
            return new Listener();
        }
    }

    /** A listener as the services write them: a record that cannot be read throws. */
    static class Listener {

        final List<GenerateTopicRecord> read = new java.util.concurrent.CopyOnWriteArrayList<>();

        @KafkaListener(id = "test-generate", topics = Topics.GENERATE, groupId = "test")
        void onRecord(byte[] value) {
            read.add(ProtocolCodec.read(value, GenerateTopicRecord.class));
        }
    }

    @Autowired
    KafkaTemplate<String, byte[]> kafka;
    @Autowired
    EmbeddedKafkaBroker broker;
    @Autowired
    ReplySender replies;
    @Autowired
    MeterRegistry meters;
    @Autowired
    Listener listener;

    @Test
    void anUnreadableRequestIsAnsweredOnItsReplyTopicAndDeadLettered() throws Exception {
        String replyTopic = "client-" + UUID.randomUUID() + "-replies";
        String unreadable = """
                {"type":"generate","requestId":"bad-1","replyTopic":"%s","prompt":"Once","maxTokens":"many"}""".formatted(replyTopic);
        kafka.send(Topics.GENERATE, "bad-1", unreadable.getBytes(StandardCharsets.UTF_8));
        kafka.send(Topics.GENERATE, "bad-2", "{not json".getBytes(StandardCharsets.UTF_8));
        kafka.send(Topics.GENERATE, "good", """
                {"type":"generate","requestId":"good","replyTopic":"x-replies","prompt":"Once","maxTokens":4}""".getBytes(StandardCharsets.UTF_8));

        List<ConsumerRecord<String, byte[]>> answers = read(replyTopic, 1);
        GenerationEvent event = ProtocolCodec.read(answers.getFirst().value(), GenerationEvent.class);
        assertThat(answers.getFirst().key()).isEqualTo("bad-1");
        assertThat(event).isInstanceOfSatisfying(GenerationEvent.Error.class, error -> {
            assertThat(error.requestId()).isEqualTo("bad-1");
            assertThat(error.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(error.message()).contains("maxTokens");
        });
        List<ConsumerRecord<String, byte[]>> dead = read(Topics.DEAD_LETTER, 2);
        assertThat(dead).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("bad-1", "bad-2");
        assertThat(new String(dead.stream().filter(r -> r.key().equals("bad-1")).findFirst().orElseThrow().value(),
                StandardCharsets.UTF_8)).isEqualTo(unreadable);
        // the consumer went on: the readable record after them was read, and defaults filled what it left out
        await().atMost(Duration.ofSeconds(10)).until(() -> listener.read.stream().anyMatch(r -> r.requestId().equals("good")));
    }

    @Test
    void aReplyToAMissingTopicThatMayNotBeCreatedIsCountedNotLost() throws Exception {
        String topic = "somewhere-else-" + UUID.randomUUID();
        double before = meters.counter(ReplySender.UNDELIVERED, "reason", "missing-topic").count();
        replies.send(topic, "r-9", new GenerationEvent.Error("r-9", 0, ErrorCode.INTERNAL, "x"));
        assertThat(meters.counter(ReplySender.UNDELIVERED, "reason", "missing-topic").count()).isEqualTo(before + 1);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
            assertThat(admin.listTopics().names().get()).doesNotContain(topic);
        }
    }

    private List<ConsumerRecord<String, byte[]>> read(String topic, int count) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (records.size() < count && System.nanoTime() < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertThat(records).as("records on %s", topic).hasSizeGreaterThanOrEqualTo(count);
        return records;
    }
}
