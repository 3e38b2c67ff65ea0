package io.speculum.cascade;

import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.CascadeRequest;
import io.speculum.protocol.CascadeTopicRecord;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.Topics;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Kafka in: cascade requests and their cancellations from llm.cascade, and the small and large models' events from
 * the router's reply topic.
 * Records that cannot be read throw, and the shared error handler sends them to the dead-letter topic; an unreadable
 * request that still names its id and reply topic is also answered INVALID_REQUEST ({@code CascadeRouter#unreadable}).
 */
@Component
class CascadeListeners {

    private final CascadeRouter router;

    CascadeListeners(CascadeRouter router) {
        this.router = router;
    }

    @KafkaListener(id = "cascade-requests", topics = Topics.CASCADE, groupId = "${speculum.cascade.group:speculum-cascade-router}")
    void onCascadeTopic(byte[] value) {
        switch (ProtocolCodec.read(value, CascadeTopicRecord.class)) {
            case CascadeRequest request -> router.onRequest(request);
            case CancelRequest cancel -> router.onCancel(cancel);
        }
    }

    // a fresh group starts at the end: events of requests this instance did not send are of no use to it
    @KafkaListener(id = "cascade-replies", topics = "${speculum.cascade.reply-topic:llm.cascade-router-replies}",
            groupId = "#{@cascadeReplyGroup}", properties = "auto.offset.reset=latest")
    void onReplyTopic(byte[] value) {
        router.onEvent(ProtocolCodec.read(value, GenerationEvent.class));
    }
}
