package io.speculum.detector;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.Topics;
import io.speculum.protocol.detection.DetectReply;
import io.speculum.protocol.detection.DetectRequest;
import io.speculum.protocol.detection.DetectionError;
import io.speculum.protocol.detection.MethodScore;
import io.speculum.protocol.detection.StreamDetection;
import io.speculum.protocol.detection.TextDetection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.kafka.test.utils.ContainerTestUtils;

/**
 * The detector-service over a real (in-process KRaft) broker: request/reply on {@code llm.detect}, bad input answered
 * with error codes, and stream-to-stream detection where poison records go to the dead-letter topic with their reason
 * while the good records behind them are scored.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "spring.config.name=" + DetectorApplication.CONFIG_NAME,
        "speculum.detector.scorer.threads=1",
        "speculum.detector.limits.max-texts=4",
        "speculum.detector.stream.enabled=true",
        "speculum.detector.stream.input-topic=test.detect.in",
        "speculum.detector.stream.output-topic=test.detect.out",
        "speculum.detector.stream.text-field=/body/text",
        "speculum.detector.stream.methods=fast-detectgpt,log-rank"})
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DetectorKafkaTest {

    static final String STORY = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";
    static final String OTHER = "The old man walked slowly to the market. He bought three apples and a loaf of bread.";

    @Autowired
    EmbeddedKafkaBroker broker;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Autowired
    io.speculum.service.SpeculumKafkaProperties kafka;

    KafkaProducer<String, byte[]> producer;
    KafkaConsumer<String, byte[]> consumer;
    final String replies = "detect-replies-" + UUID.randomUUID();
    final Map<String, List<ConsumerRecord<String, byte[]>>> received = Collections.synchronizedMap(new HashMap<>());

    @BeforeAll
    void connect() {
        listeners.getListenerContainers().forEach(c -> ContainerTestUtils.waitForAssignment(c, kafka.partitions()));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
                new StringSerializer(), new ByteArraySerializer());
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                ConsumerConfig.GROUP_ID_CONFIG, replies, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(replies, Topics.DEAD_LETTER, "test.detect.out"));
    }

    @AfterAll
    void disconnect() {
        producer.close();
        consumer.close();
    }

    @Test
    void requestReplyScoresSeveralTextsWithCalibratedDecisionsAndTokenEvidence() {
        DetectRequest request = new DetectRequest("ok-1", replies, List.of(STORY, OTHER), List.of(), true, System.currentTimeMillis());
        DetectReply reply = send(request);

        assertThat(reply.ok()).as("%s", reply.error()).isTrue();
        assertThat(reply.observers()).isEqualTo("stories260K");
        assertThat(reply.results()).hasSize(2);
        TextDetection first = reply.results().getFirst();
        assertThat(first.scores()).extracting(MethodScore::method).containsExactlyElementsOf(
                DetectionMethods.ALL.stream().filter(m -> !m.equals("fast-detectgpt-sampling")).toList());
        assertThat(first.decision()).isNotNull();
        assertThat(first.decision().probability()).isBetween(0.0, 1.0);
        assertThat(first.decision().label()).isIn(MethodScore.MACHINE, MethodScore.HUMAN);
        assertThat(first.decision().falsePositiveRate()).isEqualTo(0.01);
        assertThat(first.decision().label().equals(MethodScore.MACHINE))
                .isEqualTo(first.decision().machineDirection() * first.decision().score() > first.decision().threshold());
        // per-token evidence: one entry per predicted token, offsets into the text
        assertThat(first.tokens()).hasSize(first.tokenCount() - 1);
        assertThat(first.tokens()).allSatisfy(t -> {
            assertThat(t.logProb()).isLessThanOrEqualTo(0);
            assertThat(t.rank()).isGreaterThanOrEqualTo(0);
            assertThat(t.end()).isGreaterThanOrEqualTo(t.start());
            assertThat(STORY.substring(t.start(), t.end())).isEqualTo(t.text());
        });
        assertThat(first.spans()).isNotEmpty().allSatisfy(span -> {
            assertThat(span.contribution()).isPositive();
            assertThat(STORY.substring(span.start(), span.end())).isEqualTo(span.text());
        });
        // the same text alone scores the same as in the batch
        DetectReply alone = send(new DetectRequest("ok-2", replies, List.of(OTHER), List.of("fast-detectgpt"), false, 0));
        assertThat(alone.results().getFirst().scores().getFirst().score())
                .isCloseTo(reply.results().get(1).scores().stream().filter(s -> s.method().equals("fast-detectgpt"))
                        .findFirst().orElseThrow().score(), org.assertj.core.api.Assertions.within(1e-4));
        assertThat(alone.results().getFirst().tokens()).isNull();
    }

    @Test
    void badInputIsAnsweredWithAClearErrorCode() {
        assertError(new DetectRequest("e-empty", replies, List.of(STORY, "  "), List.of(), false, 0), DetectionError.Code.EMPTY_TEXT, 1);
        assertError(new DetectRequest("e-short", replies, List.of("The"), List.of(), false, 0), DetectionError.Code.TEXT_TOO_SHORT, 0);
        assertError(new DetectRequest("e-utf8", replies, List.of("Once \ud800 upon a time"), List.of(), false, 0),
                DetectionError.Code.INVALID_UTF8, 0);
        assertError(new DetectRequest("e-batch", replies, List.of(STORY, STORY, STORY, STORY, STORY), List.of(), false, 0),
                DetectionError.Code.BATCH_TOO_LARGE, null);
        assertError(new DetectRequest("e-method", replies, List.of(STORY), List.of("gptzero"), false, 0),
                DetectionError.Code.UNKNOWN_METHOD, null);
        assertError(new DetectRequest("e-pair", replies, List.of(STORY), List.of("fast-detectgpt-sampling"), false, 0),
                DetectionError.Code.METHOD_UNAVAILABLE, null);
        assertError(new DetectRequest("e-none", replies, List.of(), List.of(), false, 0), DetectionError.Code.INVALID_REQUEST, null);
    }

    @Test
    void unreadableRequestsGoToTheDeadLetterTopicAndTheNextRequestIsServed() {
        producer.send(new ProducerRecord<>(Topics.DETECT, "garbage-req", "{not json".getBytes(StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>(Topics.DETECT, "bytes-req", new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}));
        DetectReply reply = send(new DetectRequest("after-garbage", replies, List.of(STORY), List.of("log-likelihood"), false, 0));
        assertThat(reply.ok()).isTrue();
        assertThat(deadLetterReason("garbage-req")).contains("Malformed DetectRequest");
        assertThat(deadLetterReason("bytes-req")).contains("not valid UTF-8");
    }

    @Test
    void streamModeScoresRecordsAndDeadLettersPoisonWithoutStalling() {
        String good = "{\"body\": {\"text\": " + ProtocolCodec.writeString(STORY) + "}}";
        producer.send(new ProducerRecord<>("test.detect.in", "s-poison", "{oops".getBytes(StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>("test.detect.in", "s-bytes", new byte[] {(byte) 0xFF, (byte) 0xFE, 'x'}));
        producer.send(new ProducerRecord<>("test.detect.in", "s-missing", "{\"body\": {\"title\": \"x\"}}".getBytes(StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>("test.detect.in", "s-empty", "{\"body\": {\"text\": \"\"}}".getBytes(StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>("test.detect.in", "s-good", good.getBytes(StandardCharsets.UTF_8)));
        producer.flush();

        ConsumerRecord<String, byte[]> scored = await("test.detect.out", "s-good");
        StreamDetection detection = ProtocolCodec.read(scored.value(), StreamDetection.class);
        assertThat(detection.sourceTopic()).isEqualTo("test.detect.in");
        assertThat(detection.result().scores()).extracting(MethodScore::method).containsExactly("fast-detectgpt", "log-rank");
        assertThat(detection.result().decision()).isNotNull();
        assertThat(deadLetterReason("s-poison")).contains("INVALID_REQUEST").contains("not JSON");
        assertThat(deadLetterReason("s-bytes")).contains("INVALID_UTF8");
        assertThat(deadLetterReason("s-missing")).contains("no string at /body/text");
        assertThat(deadLetterReason("s-empty")).contains("EMPTY_TEXT");
        ConsumerRecord<String, byte[]> dead = await(Topics.DEAD_LETTER, "s-bytes");
        assertThat(dead.value()).containsExactly((byte) 0xFF, (byte) 0xFE, 'x');
    }

    private void assertError(DetectRequest request, DetectionError.Code code, Integer index) {
        DetectReply reply = send(request);
        assertThat(reply.ok()).isFalse();
        assertThat(reply.results()).isEmpty();
        assertThat(reply.error().code()).as(reply.error().message()).isEqualTo(code);
        assertThat(reply.error().textIndex()).isEqualTo(index);
        assertThat(reply.error().message()).isNotBlank();
    }

    private DetectReply send(DetectRequest request) {
        producer.send(new ProducerRecord<>(Topics.DETECT, request.requestId(), ProtocolCodec.write(request)));
        producer.flush();
        return ProtocolCodec.read(await(replies, request.requestId()).value(), DetectReply.class);
    }

    private String deadLetterReason(String key) {
        ConsumerRecord<String, byte[]> dead = await(Topics.DEAD_LETTER, key);
        return new String(dead.headers().lastHeader("kafka_dlt-exception-message").value(), StandardCharsets.UTF_8);
    }

    /** Polls until a record with {@code key} arrived on {@code topic} (records of other keys are kept for later). */
    private synchronized ConsumerRecord<String, byte[]> await(String topic, String key) {
        Predicate<ConsumerRecord<String, byte[]>> wanted = r -> r.topic().equals(topic) && key.equals(r.key());
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            List<ConsumerRecord<String, byte[]>> seen = received.getOrDefault(topic, List.of());
            for (ConsumerRecord<String, byte[]> r : seen) {
                if (wanted.test(r)) {
                    return r;
                }
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                received.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(r);
            }
        }
        throw new AssertionError("no record " + key + " on " + topic + " within 90 s");
    }
}
