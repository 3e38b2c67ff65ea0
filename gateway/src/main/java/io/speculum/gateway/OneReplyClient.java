package io.speculum.gateway;

import io.speculum.protocol.ProtocolCodec;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Kafka request/reply for services that answer with one record (the detector, the cascade router): the request goes
 * to its topic keyed by its id, naming this instance's reply topic; the reply with that key comes back through the
 * {@link ReplyRouter}. A failed send fails the call; cancelling the call stops waiting for the reply (a service that
 * can stop work on it is told so by its caller, with {@link #tell}).
 */
@Component
class OneReplyClient {

    private static final Logger LOG = LoggerFactory.getLogger(OneReplyClient.class);

    private final KafkaTemplate<String, byte[]> kafka;
    private final ReplyRouter replies;
    private final ReplyTopic replyTopic;

    OneReplyClient(KafkaTemplate<String, byte[]> kafka, ReplyRouter replies, ReplyTopic replyTopic) {
        this.kafka = kafka;
        this.replies = replies;
        this.replyTopic = replyTopic;
    }

    String replyTopic() {
        return replyTopic.name();
    }

    <T> Mono<T> call(String topic, String requestId, Object request, Class<T> replyType) {
        return Mono.defer(() -> {
            CompletableFuture<byte[]> reply = replies.expectOne(requestId);
            try {
                kafka.send(topic, requestId, ProtocolCodec.write(request)).whenComplete((result, failure) -> {
                    if (failure != null) {
                        reply.completeExceptionally(new BackendUnavailableException(
                                "the request could not be sent to Kafka: " + failure.getMessage()));
                    }
                });
            } catch (RuntimeException e) {
                reply.completeExceptionally(new BackendUnavailableException("the request could not be sent to Kafka: " + e.getMessage()));
            }
            return Mono.fromFuture(reply, true).map(bytes -> ProtocolCodec.read(bytes, replyType));
        }).doFinally(signal -> replies.forget(requestId));
    }

    /** A record for a call in progress, keyed by its id, so that it is read after the request (a cancel, say). */
    void tell(String topic, String requestId, Object message) {
        try {
            kafka.send(topic, requestId, ProtocolCodec.write(message)).whenComplete((result, failure) -> {
                if (failure != null) {
                    LOG.warn("Could not send {} for {}: {}", message.getClass().getSimpleName(), requestId, failure.getMessage());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("Could not send {} for {}: {}", message.getClass().getSimpleName(), requestId, e.getMessage());
        }
    }
}
