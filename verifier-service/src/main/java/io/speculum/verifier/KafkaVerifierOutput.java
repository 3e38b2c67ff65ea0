package io.speculum.verifier;

import io.speculum.protocol.DraftRelease;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.DraftTiming;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.Topics;
import io.speculum.service.DraftHopTemplate;
import io.speculum.service.GenerationEventPublisher;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** The verifier's messages as Kafka records keyed by request id: events to the reply topic, draft requests to llm.draft. */
@Component
class KafkaVerifierOutput implements VerifierOutput, AutoCloseable {

    private final KafkaTemplate<String, byte[]> kafka;
    private final GenerationEventPublisher events;
    private final DistributionSummary requestBytes;
    private final Timer requestAck;
    private final Timer requestSend;

    KafkaVerifierOutput(KafkaTemplate<String, byte[]> kafka, GenerationEventPublisher events, MeterRegistry meters) {
        this.kafka = DraftHopTemplate.of(kafka);
        this.events = events;
        this.requestBytes = DraftMessageBytes.summary(meters, "request");
        this.requestAck = Timer.builder("speculum.spec_decode.draft_request_ack")
                .description("From handing a draft request to the producer to the broker's acknowledgement")
                .publishPercentiles(0.5, 0.99).register(meters);
        this.requestSend = Timer.builder("speculum.spec_decode.draft_request_send")
                .description("From the draft request's stamp to the producer accepting it (serialisation and send() itself)")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    @Override
    public void reply(String replyTopic, GenerationEvent event) {
        events.publish(replyTopic, event);
    }

    @Override
    public void requestDraft(DraftRequest request) {
        // a lost draft request costs one round's speed, never correctness: the round's deadline decodes alone
        byte[] value = ProtocolCodec.write(request);
        requestBytes.record(value.length);
        long sent = System.nanoTime();
        kafka.send(Topics.DRAFT, request.requestId(), value).whenComplete((result, failure) -> {
            if (failure == null) {
                requestAck.record(System.nanoTime() - sent, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        });
        requestSend.record(Math.max(0, DraftTiming.nowMicros() - request.sentAtMicros()), java.util.concurrent.TimeUnit.MICROSECONDS);
    }

    @Override
    public void releaseDrafts(DraftRelease release) {
        // same key as the draft requests: the drafter that holds the request's cache sees it, after the last request
        kafka.send(Topics.DRAFT, release.requestId(), ProtocolCodec.write(release));
    }

    @Override
    public void close() {
        DraftHopTemplate.close(kafka);
    }
}
