package io.speculum.drafter;

import io.speculum.protocol.DraftRelease;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.DraftTopicRecord;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.Topics;
import io.speculum.service.DraftHopTemplate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Kafka in and out: a draft request from llm.draft, its proposal (or error) to llm.verify, keyed by request id; a
 * release from llm.draft frees what the drafters keep for a finished request. Off with
 * {@code speculum.drafter.drafts.enabled=false}: an instance serving only small-model generation with a model of
 * another vocabulary (a cascade's small model) must not answer the verifier's draft requests.
 */
@Component
@ConditionalOnProperty(name = "speculum.drafter.drafts.enabled", matchIfMissing = true)
class DraftListener implements AutoCloseable {

    private final DraftService drafts;
    private final KafkaTemplate<String, byte[]> kafka;

    DraftListener(DraftService drafts, KafkaTemplate<String, byte[]> kafka) {
        this.drafts = drafts;
        this.kafka = DraftHopTemplate.of(kafka);
    }

    @KafkaListener(id = "drafter-draft", topics = Topics.DRAFT, groupId = "${speculum.drafter.group:speculum-drafter}")
    void onDraftTopic(byte[] value) {
        switch (ProtocolCodec.read(value, DraftTopicRecord.class)) {
            case DraftRequest request -> drafts.handle(request,
                    proposal -> kafka.send(Topics.VERIFY, request.requestId(), ProtocolCodec.write(proposal.sentNow())));
            case DraftRelease release -> drafts.release(release);
        }
    }

    @Override
    public void close() {
        DraftHopTemplate.close(kafka);
    }
}
