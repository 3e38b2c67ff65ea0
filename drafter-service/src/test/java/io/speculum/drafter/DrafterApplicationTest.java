package io.speculum.drafter;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.protocol.Topics;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.ProtocolError;
import io.speculum.service.ApplicationChecks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;

/** The drafter-service starts against a real (in-process KRaft) broker with its real model, and says so over HTTP. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "spring.config.name=" + DrafterApplication.CONFIG_NAME)
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class DrafterApplicationTest {

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKafkaBroker broker;

    @Test
    void startsWithItsModelAndBrokerAndReportsThemHealthy() throws Exception {
        ApplicationChecks.assertHealthyWithModel(port, "drafter", ApplicationChecks.sharedModel("stories260K.gguf"));
        ApplicationChecks.assertTopicsExist(broker, Topics.GENERATE, Topics.DRAFT, Topics.VERIFY, Topics.SMALL_GENERATE, Topics.DEAD_LETTER);
    }

    @Test
    void smallModelGenerationOverKafkaStreamsTokensWithTheirConfidence() {
        // an unreadable record first: it goes to the dead-letter topic and the requests behind it are served
        String replies = "small-replies-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()), new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(), ConsumerConfig.GROUP_ID_CONFIG, replies,
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            GenerateRequest request = new GenerateRequest("small-1", replies, "stories260K", "Once upon a time", null, 24,
                    SamplingParams.greedy(), List.of(), null, System.currentTimeMillis(), 0);
            producer.send(new ProducerRecord<>(Topics.SMALL_GENERATE, "garbage-small", "{not json".getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(Topics.SMALL_GENERATE, request.requestId(), ProtocolCodec.write(request)));
            producer.send(new ProducerRecord<>(Topics.SMALL_GENERATE, "small-2", ProtocolCodec.write(new GenerateRequest("small-2",
                    replies, "stories15M", "Hi", null, 4, null, null, null, 0, 0))));
            producer.flush();
            consumer.subscribe(List.of(replies, Topics.DEAD_LETTER));

            Map<String, List<GenerationEvent>> events = new HashMap<>();
            List<ConsumerRecord<String, byte[]>> deadLetters = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while ((events.values().stream().filter(list -> list.getLast().ends()).count() < 2 || deadLetters.isEmpty())
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.topic().equals(Topics.DEAD_LETTER)) {
                        deadLetters.add(record);
                    } else {
                        events.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(ProtocolCodec.read(record.value(), GenerationEvent.class));
                    }
                }
            }
            assertThat(deadLetters).filteredOn(r -> "garbage-small".equals(r.key())).singleElement().satisfies(dead -> {
                assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
                assertThat(new String(dead.headers().lastHeader("kafka_dlt-exception-message").value(), StandardCharsets.UTF_8))
                        .contains("Malformed");
            });
            List<GenerationEvent> small = events.get("small-1");
            assertThat(small).isNotNull();
            assertThat(small.getLast()).isInstanceOfSatisfying(GenerationEvent.Done.class, done -> {
                assertThat(done.finishReason()).isIn(GenerationEvent.FinishReason.LENGTH, GenerationEvent.FinishReason.STOP);
                assertThat(done.usage().completionTokens()).isPositive();
            });
            List<GenerationEvent.Round> rounds = small.stream().filter(GenerationEvent.Round.class::isInstance)
                    .map(GenerationEvent.Round.class::cast).toList();
            int tokens = rounds.stream().mapToInt(r -> r.tokens().length).sum();
            assertThat(tokens).isEqualTo(((GenerationEvent.Done) small.getLast()).usage().completionTokens());
            assertThat(rounds).allSatisfy(round -> {
                assertThat(round.confidence()).hasSize(round.tokens().length);
                for (int i = 0; i < round.tokens().length; i++) {
                    GenerationEvent.TokenConfidence c = round.confidence().get(i);
                    assertThat(c.token()).isEqualTo(round.tokens()[i]);
                    assertThat(c.logProb()).isLessThanOrEqualTo(0);
                    assertThat(c.entropy()).isGreaterThanOrEqualTo(0);
                    assertThat(c.margin()).isGreaterThanOrEqualTo(0);
                    // greedy picks a most likely token, whose probability is at least 1 / vocabulary size
                    assertThat(c.logProb()).isGreaterThanOrEqualTo(-Math.log(512) - 1e-9);
                }
            });
            assertThat(events.get("small-2")).singleElement().isInstanceOfSatisfying(GenerationEvent.Error.class,
                    error -> assertThat(error.code()).isEqualTo(ProtocolError.ErrorCode.UNKNOWN_MODEL));
        }
    }
}
