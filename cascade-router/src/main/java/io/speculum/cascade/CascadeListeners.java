package io.speculum.cascade;

import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.CascadeRequest;
import io.speculum.protocol.CascadeTopicRecord;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.ProtocolException;
import io.speculum.protocol.Topics;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Kafka in: cascade requests and their cancellations from llm.cascade, and the small and large models' events from
 * the router's reply topic.
 * Records that cannot be read throw, and the shared error handler sends them to the dead-letter topic; an unreadable
 * request that still names its id and reply topic is also answered INVALID_REQUEST.
 */
@Component
class CascadeListeners {

    private final CascadeRouter router;

    CascadeListeners(CascadeRouter router) {
        this.router = router;
    }

    /** What an unreadable request may still say: where its error reply goes. */
    record Address(String requestId, String replyTopic) {
    }

    @KafkaListener(id = "cascade-requests", topics = Topics.CASCADE, groupId = "${speculum.cascade.group:speculum-cascade-router}")
    void onCascadeTopic(byte[] value) {
        CascadeTopicRecord record;
        try {
            record = ProtocolCodec.read(value, CascadeTopicRecord.class);
        } catch (ProtocolException unreadable) {
            // a request that names its reply topic gets INVALID_REQUEST; the record is dead-lettered all the same
            Address address = readAddress(value);
            if (address != null) {
                router.onUnreadable(address.requestId(), address.replyTopic(), unreadable.getMessage());
            }
            throw unreadable;
        }
        switch (record) {
            case CascadeRequest request -> router.onRequest(request);
            case CancelRequest cancel -> router.onCancel(cancel);
        }
    }

    private static Address readAddress(byte[] value) {
        try {
            return ProtocolCodec.read(value, Address.class);
        } catch (ProtocolException notEvenThat) {
            return null;
        }
    }

    // a fresh group starts at the end: events of requests this instance did not send are of no use to it
    @KafkaListener(id = "cascade-replies", topics = "${speculum.cascade.reply-topic:llm.cascade-router-replies}",
            groupId = "#{@cascadeReplyGroup}", properties = "auto.offset.reset=latest")
    void onReplyTopic(byte[] value) {
        router.onEvent(ProtocolCodec.read(value, GenerationEvent.class));
    }
}
