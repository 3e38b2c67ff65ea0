package io.speculum.gateway.backend;

import io.speculum.protocol.ProtocolCodec;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Kafka request/reply for services that answer with one record (the detector, the cascade router): the request goes
 * to its topic keyed by its id, naming this instance's reply topic; the reply with that key comes back through the
 * {@link ReplyRouter}. A failed send fails the call; cancelling the call stops waiting for the reply (a service that
 * can stop work on it is told so by its caller, with {@link #tell}). Sends never block the caller ({@link KafkaSender}).
 */
@Component
public class OneReplyClient {

    private static final Logger LOG = LoggerFactory.getLogger(OneReplyClient.class);

    private final KafkaSender kafka;
    private final ReplyRouter replies;
    private final ReplyTopic replyTopic;
    /** The sends of the calls in progress, so that what is told about a call goes out after its request. */
    private final Map<String, CompletableFuture<Void>> requestSends = new ConcurrentHashMap<>();

    OneReplyClient(KafkaSender kafka, ReplyRouter replies, ReplyTopic replyTopic) {
        this.kafka = kafka;
        this.replies = replies;
        this.replyTopic = replyTopic;
    }

    public String replyTopic() {
        return replyTopic.name();
    }

    public <T> Mono<T> call(String topic, String requestId, Object request, Class<T> replyType) {
        return Mono.defer(() -> {
            CompletableFuture<byte[]> reply = replies.expectOne(requestId);
            requestSends.put(requestId, kafka.send(topic, requestId, ProtocolCodec.write(request)).whenComplete((result, failure) -> {
                if (failure != null) {
                    reply.completeExceptionally(new BackendUnavailableException(
                            "the request could not be sent to Kafka: " + failure.getMessage()));
                }
            }));
            return Mono.fromFuture(reply, true).map(bytes -> ProtocolCodec.read(bytes, replyType));
        }).doFinally(signal -> {
            replies.forget(requestId);
            requestSends.remove(requestId);
        });
    }

    /**
     * A record for a call in progress (a cancel, say), keyed by its id and sent once the call's request is on the
     * broker, so that it is read after the request; nothing is sent for a request that could not be sent.
     */
    public void tell(String topic, String requestId, Object message) {
        requestSends.getOrDefault(requestId, CompletableFuture.completedFuture(null))
                .thenRun(() -> kafka.send(topic, requestId, ProtocolCodec.write(message)).whenComplete((result, failure) -> {
                    if (failure != null) {
                        LOG.warn("Could not send {} for {}: {}", message.getClass().getSimpleName(), requestId, failure.getMessage());
                    }
                }));
    }
}
