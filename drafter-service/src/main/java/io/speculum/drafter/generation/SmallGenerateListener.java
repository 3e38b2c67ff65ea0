package io.speculum.drafter.generation;

import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerateTopicRecord;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.Topics;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Kafka in: small-model generation requests and cancellations from llm.small-generate. Records that cannot be read
 * throw, and the shared error handler sends them to the dead-letter topic with the reason in headers.
 */
@Component
@ConditionalOnProperty(name = "speculum.drafter.generation.enabled", matchIfMissing = true)
class SmallGenerateListener {

    private final SmallModelGenerator generator;

    SmallGenerateListener(SmallModelGenerator generator) {
        this.generator = generator;
    }

    @KafkaListener(id = "drafter-small-generate", topics = Topics.SMALL_GENERATE,
            groupId = "${speculum.drafter.generation.group:speculum-small-generate}")
    void onSmallGenerateTopic(byte[] value) {
        switch (ProtocolCodec.read(value, GenerateTopicRecord.class)) {
            case GenerateRequest request -> generator.onGenerate(request);
            case CancelRequest cancel -> generator.onCancel(cancel);
        }
    }
}
