package io.speculum.drafter.generation;

import io.speculum.protocol.GenerationEvent;
import io.speculum.service.GenerationEventPublisher;
import org.springframework.stereotype.Component;

/** The small-model generator's events as Kafka records on the request's reply topic, keyed by request id. */
@Component
class KafkaGenerationOutput implements GenerationOutput {

    private final GenerationEventPublisher events;

    KafkaGenerationOutput(GenerationEventPublisher events) {
        this.events = events;
    }

    @Override
    public void reply(String replyTopic, GenerationEvent event) {
        events.publish(replyTopic, event);
    }
}
