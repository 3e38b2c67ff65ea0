package io.speculum.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.speculum.protocol.ProtocolCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Sends a reply (an event, an answer) to the reply topic its request named, keyed by request id, without waiting for
 * the broker. A reply that cannot be delivered (its topic is missing and may not be created, or the send fails) is
 * logged with the request id and counted ({@code speculum.replies.undelivered}, tag {@code reason}): never silence.
 */
public class ReplySender {

    private static final Logger LOG = LoggerFactory.getLogger(ReplySender.class);
    static final String UNDELIVERED = "speculum.replies.undelivered";

    private final KafkaTemplate<String, byte[]> kafka;
    private final ReplyTopics topics;
    private final MeterRegistry meters;

    public ReplySender(KafkaTemplate<String, byte[]> kafka, ReplyTopics topics, MeterRegistry meters) {
        this.kafka = kafka;
        this.topics = topics;
        this.meters = meters;
    }

    public void send(String replyTopic, String requestId, Object reply) {
        String kind = reply.getClass().getSimpleName();
        if (replyTopic == null || replyTopic.isBlank()) {
            undelivered("no-reply-topic");
            LOG.warn("{} for request {} not delivered: the request names no reply topic", kind, requestId);
            return;
        }
        if (!topics.available(replyTopic)) {
            undelivered("missing-topic");
            LOG.warn("{} for request {} not delivered: the reply topic {} does not exist, and {}", kind, requestId, replyTopic,
                    "the services create only names matching speculum.kafka.reply-topic-pattern, with speculum.kafka.create-topics on");
            return;
        }
        kafka.send(replyTopic, requestId, ProtocolCodec.write(reply)).whenComplete((result, failure) -> {
            if (failure != null) {
                undelivered("send-failed");
                LOG.error("{} for request {} not delivered to {}", kind, requestId, replyTopic, failure);
            }
        });
    }

    private void undelivered(String reason) {
        meters.counter(UNDELIVERED, "reason", reason).increment();
    }
}
