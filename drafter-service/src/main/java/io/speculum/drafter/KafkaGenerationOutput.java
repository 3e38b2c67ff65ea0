package io.speculum.drafter;

import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** The small-model generator's events as Kafka records on the request's reply topic, keyed by request id. */
@Component
class KafkaGenerationOutput implements GenerationOutput {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaGenerationOutput.class);

    private final KafkaTemplate<String, byte[]> kafka;

    KafkaGenerationOutput(KafkaTemplate<String, byte[]> kafka) {
        this.kafka = kafka;
    }

    @Override
    public void reply(String replyTopic, GenerationEvent event) {
        kafka.send(replyTopic, event.requestId(), ProtocolCodec.write(event)).whenComplete((result, failure) -> {
            if (failure != null) {
                LOG.error("Could not publish {} for {} to {}", event.getClass().getSimpleName(), event.requestId(), replyTopic, failure);
            }
        });
    }
}
