package io.speculum.verifier;

import io.speculum.protocol.DraftRelease;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.Topics;
import io.speculum.service.GenerationEventPublisher;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** The verifier's messages as Kafka records keyed by request id: events to the reply topic, draft requests to llm.draft. */
@Component
class KafkaVerifierOutput implements VerifierOutput {

    private final KafkaTemplate<String, byte[]> kafka;
    private final GenerationEventPublisher events;

    KafkaVerifierOutput(KafkaTemplate<String, byte[]> kafka, GenerationEventPublisher events) {
        this.kafka = kafka;
        this.events = events;
    }

    @Override
    public void reply(String replyTopic, GenerationEvent event) {
        events.publish(replyTopic, event);
    }

    @Override
    public void requestDraft(DraftRequest request) {
        // a lost draft request costs one round's speed, never correctness: the round's deadline decodes alone
        kafka.send(Topics.DRAFT, request.requestId(), ProtocolCodec.write(request));
    }

    @Override
    public void releaseDrafts(DraftRelease release) {
        // same key as the draft requests: the drafter that holds the request's cache sees it, after the last request
        kafka.send(Topics.DRAFT, release.requestId(), ProtocolCodec.write(release));
    }
}
