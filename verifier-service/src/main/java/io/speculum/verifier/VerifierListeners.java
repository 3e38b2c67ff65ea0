package io.speculum.verifier;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.DraftProposal;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerateTopicRecord;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.Topics;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Kafka in: generation requests and cancellations, and drafters' proposals. Records that cannot be read throw, and
 * the shared error handler sends them to the dead-letter topic with the reason in headers.
 */
@Component
class VerifierListeners {

    private final SpeculativeVerifier verifier;
    private final DistributionSummary proposalBytes;

    VerifierListeners(SpeculativeVerifier verifier, MeterRegistry meters) {
        this.verifier = verifier;
        this.proposalBytes = DraftMessageBytes.summary(meters, "proposal");
    }

    @KafkaListener(id = "verifier-generate", topics = Topics.GENERATE, groupId = "${speculum.verifier.group:speculum-verifier}")
    void onGenerateTopic(byte[] value) {
        switch (ProtocolCodec.read(value, GenerateTopicRecord.class)) {
            case GenerateRequest request -> verifier.onGenerate(request);
            case CancelRequest cancel -> verifier.onCancel(cancel);
        }
    }

    @KafkaListener(id = "verifier-verify", topics = Topics.VERIFY, groupId = "${speculum.verifier.group:speculum-verifier}")
    void onProposal(byte[] value) {
        proposalBytes.record(value.length);
        verifier.onProposal(ProtocolCodec.read(value, DraftProposal.class));
    }
}
