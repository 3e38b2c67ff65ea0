package io.speculum.gateway.backend;

import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Kafka in: this instance's reply topic. Each event goes to the pending generation of its request id; events of
 * requests this instance no longer waits for (cancelled, timed out) are dropped. Services that answer with one reply
 * (the detector, the cascade router) share the topic: a record whose key is an awaited single reply completes it
 * undecoded, since only its caller knows the reply's type. A record that cannot be read throws, and the shared error
 * handler sends it to the dead-letter topic.
 */
@Component
public class ReplyRouter {

    static final String LISTENER_ID = "gateway-replies";
    /** Request ids of one-reply requests start with one of these, so a late reply is dropped, not misread. */
    public static final String DETECT_PREFIX = "detect-";
    public static final String CASCADE_PREFIX = "cascade-";
    private static final Logger LOG = LoggerFactory.getLogger(ReplyRouter.class);

    private final Map<String, PendingGeneration> pending = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<byte[]>> singles = new ConcurrentHashMap<>();

    PendingGeneration register(GenerateRequest request) {
        PendingGeneration generation = new PendingGeneration(request);
        if (pending.putIfAbsent(request.requestId(), generation) != null) {
            throw new IllegalStateException("request id " + request.requestId() + " is already pending");
        }
        return generation;
    }

    /** The generations waiting for events now. */
    java.util.Collection<PendingGeneration> pendingGenerations() {
        return pending.values();
    }

    /** Awaits the one reply (keyed by the request id) to a request; completed with the record's value. */
    CompletableFuture<byte[]> expectOne(String requestId) {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        if (singles.putIfAbsent(requestId, reply) != null || pending.containsKey(requestId)) {
            throw new IllegalStateException("request id " + requestId + " is already pending");
        }
        return reply;
    }

    void forget(String requestId) {
        pending.remove(requestId);
        singles.remove(requestId);
    }

    public int pendingCount() {
        return pending.size() + singles.size();
    }

    @KafkaListener(id = LISTENER_ID, topics = "#{@replyTopic.name()}", groupId = "#{@replyTopic.group()}")
    void onReply(ConsumerRecord<String, byte[]> record) {
        CompletableFuture<byte[]> single = record.key() == null ? null : singles.remove(record.key());
        if (single != null) {
            single.complete(record.value());
            return;
        }
        if (record.key() != null && (record.key().startsWith(DETECT_PREFIX) || record.key().startsWith(CASCADE_PREFIX))) {
            LOG.debug("Dropping a reply for {}: not waited for here", record.key());
            return;
        }
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
