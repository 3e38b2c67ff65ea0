package io.speculum.drafter;

import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.Topics;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** Kafka in and out: a draft request from llm.draft, its proposal (or error) to llm.verify, keyed by request id. */
@Component
class DraftListener {

    private final DraftService drafts;
    private final KafkaTemplate<String, byte[]> kafka;

    DraftListener(DraftService drafts, KafkaTemplate<String, byte[]> kafka) {
        this.drafts = drafts;
        this.kafka = kafka;
    }

    @KafkaListener(id = "drafter-draft", topics = Topics.DRAFT, groupId = "${speculum.drafter.group:speculum-drafter}")
    void onDraftRequest(byte[] value) {
        DraftRequest request = ProtocolCodec.read(value, DraftRequest.class);
        drafts.handle(request, proposal -> kafka.send(Topics.VERIFY, request.state().requestId(), ProtocolCodec.write(proposal)));
    }
}
