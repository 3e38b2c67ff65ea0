package io.speculum.detector;

import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.ProtocolException;
import io.speculum.protocol.Topics;
import io.speculum.protocol.detection.DetectRequest;
import io.speculum.service.ReplySender;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Kafka in: {@link DetectRequest}s from {@code llm.detect}; the reply goes to the request's reply topic. A record that
 * cannot be read, or names nowhere to reply, throws, and the shared error handler sends it to the dead-letter topic
 * with the reason in headers (and answers INVALID_REQUEST where it names its id and reply topic: {@link DetectorTopics}). Scoring runs on the scorer's thread, so the listener never waits for it.
 */
@Component
@ConditionalOnProperty(name = "speculum.detector.requests.enabled", matchIfMissing = true)
class DetectRequestListener {

    private final Detector detector;
    private final ReplySender replies;

    DetectRequestListener(Detector detector, ReplySender replies) {
        this.detector = detector;
        this.replies = replies;
    }

    @KafkaListener(id = "detector-requests", topics = Topics.DETECT, groupId = "${speculum.detector.requests.group:speculum-detect}")
    void onDetectTopic(byte[] value) {
        DetectRequest request = ProtocolCodec.read(Utf8.decode(value), DetectRequest.class);
        if (request.requestId() == null || request.requestId().isBlank() || request.replyTopic() == null || request.replyTopic().isBlank()) {
            throw new ProtocolException("A DetectRequest needs a requestId and a replyTopic", null);
        }
        detector.detect(request).thenAccept(reply -> replies.send(request.replyTopic(), request.requestId(), reply));
    }
}
