package io.speculum.service;

import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes a generation's events to the reply topic its request named, keyed by request id, without blocking the
 * caller; a failed send is logged (the client's own deadline ends its wait).
 */
public final class GenerationEventPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(GenerationEventPublisher.class);

    private final KafkaTemplate<String, byte[]> kafka;

    public GenerationEventPublisher(KafkaTemplate<String, byte[]> kafka) {
        this.kafka = kafka;
    }

    public void publish(String replyTopic, GenerationEvent event) {
        kafka.send(replyTopic, event.requestId(), ProtocolCodec.write(event)).whenComplete((result, failure) -> {
            if (failure != null) {
                LOG.error("Could not publish {} for {} to {}", event.getClass().getSimpleName(), event.requestId(), replyTopic, failure);
            }
        });
    }
}
