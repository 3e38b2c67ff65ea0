package io.speculum.gateway;

import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Kafka in: this instance's reply topic. Each event goes to the pending generation of its request id; events of
 * requests this instance no longer waits for (cancelled, timed out) are dropped. A record that cannot be read throws,
 * and the shared error handler sends it to the dead-letter topic.
 */
@Component
class ReplyRouter {

    static final String LISTENER_ID = "gateway-replies";
    private static final Logger LOG = LoggerFactory.getLogger(ReplyRouter.class);

    private final Map<String, PendingGeneration> pending = new ConcurrentHashMap<>();

    PendingGeneration register(String requestId) {
        PendingGeneration generation = new PendingGeneration(requestId);
        if (pending.putIfAbsent(requestId, generation) != null) {
            throw new IllegalStateException("request id " + requestId + " is already pending");
        }
        return generation;
    }

    void forget(String requestId) {
        pending.remove(requestId);
    }

    int pendingCount() {
        return pending.size();
    }

    @KafkaListener(id = LISTENER_ID, topics = "#{@replyTopic.name()}", groupId = "#{@replyTopic.group()}")
    void onReply(ConsumerRecord<String, byte[]> record) {
        GenerationEvent event = ProtocolCodec.read(record.value(), GenerationEvent.class);
        PendingGeneration generation = pending.get(event.requestId());
        if (generation == null) {
            LOG.debug("Dropping a {} event for {}: not waited for here", event.getClass().getSimpleName(), event.requestId());
            return;
        }
        if (generation.accept(event)) {
            pending.remove(event.requestId(), generation);
        }
    }
}
