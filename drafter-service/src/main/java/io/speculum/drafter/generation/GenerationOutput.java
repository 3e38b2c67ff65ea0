package io.speculum.drafter.generation;

import io.speculum.protocol.GenerationEvent;

/** Where the small-model generator's events go: Kafka in the service, a recording in tests. Must not block long. */
public interface GenerationOutput {

    void reply(String replyTopic, GenerationEvent event);
}
