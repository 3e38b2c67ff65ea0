package io.speculum.detector;

import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.detection.DetectReply;
import io.speculum.protocol.detection.DetectRequest;
import io.speculum.protocol.detection.DetectionError;
import io.speculum.protocol.detection.StreamDetection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stream-to-stream detection: each record of the configured input topic is scored and its {@link StreamDetection}
 * published to the output topic under the same key. A record that cannot be scored (not UTF-8, not JSON, no text at
 * the field path, an empty or too short text) throws {@link StreamRecordRejected}; the shared error handler sends it
 * to the dead-letter topic with the code and reason in headers and the listener goes on with the next record.
 * Records are scored one after another (back-pressure on the topic), each within the configured timeout.
 */
@Component
@ConditionalOnProperty(name = "speculum.detector.stream.enabled")
class StreamDetectionListener {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Detector detector;
    private final KafkaTemplate<String, byte[]> kafka;
    private final DetectorProperties.Stream settings;

    StreamDetectionListener(Detector detector, KafkaTemplate<String, byte[]> kafka, DetectorProperties properties) {
        this.detector = detector;
        this.kafka = kafka;
        this.settings = properties.stream();
    }

    /** A record the stream cannot score, with the reason the dead-letter record carries. */
    static final class StreamRecordRejected extends RuntimeException {
        StreamRecordRejected(DetectionError.Code code, String message) {
            super(code + ": " + message);
        }
    }

    @KafkaListener(id = "detector-stream", topics = "${speculum.detector.stream.input-topic}",
            groupId = "${speculum.detector.stream.group:speculum-detect-stream}")
    void onInputRecord(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        String text = textOf(record.value());
        String id = record.topic() + "-" + record.partition() + "-" + record.offset();
        DetectReply reply;
        try {
            reply = detector.detect(new DetectRequest(id, null, List.of(text), settings.methods(), settings.tokens(), 0))
                    .get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new StreamRecordRejected(DetectionError.Code.INTERNAL, "not scored within " + settings.timeout());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new StreamRecordRejected(DetectionError.Code.INTERNAL, String.valueOf(e.getCause()));
        }
        if (!reply.ok()) {
            throw new StreamRecordRejected(reply.error().code(), reply.error().message());
        }
        StreamDetection out = new StreamDetection(record.topic(), record.partition(), record.offset(), reply.observers(),
                reply.results().getFirst());
        kafka.send(settings.outputTopic(), record.key(), ProtocolCodec.write(out));
    }

    private String textOf(byte[] value) {
        if (value == null) {
            throw new StreamRecordRejected(DetectionError.Code.INVALID_REQUEST, "the record has no value");
        }
        String json;
        try {
            json = Utf8.decode(value);
        } catch (DetectionException e) {
            throw new StreamRecordRejected(e.code(), e.getMessage());
        }
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new StreamRecordRejected(DetectionError.Code.INVALID_REQUEST, "the record is not JSON: " + e.getOriginalMessage());
        }
        JsonNode field = node.at(settings.textField());
        if (!field.isString()) {
            throw new StreamRecordRejected(DetectionError.Code.INVALID_REQUEST, "the record has no string at "
                    + settings.textField() + (field.isMissingNode() ? "" : " (found " + field.getNodeType() + ")"));
        }
        return field.asString();
    }
}
