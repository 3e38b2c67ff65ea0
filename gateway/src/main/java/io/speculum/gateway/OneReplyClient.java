package io.speculum.gateway;

import io.speculum.protocol.ProtocolCodec;
import java.util.concurrent.CompletableFuture;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Kafka request/reply for services that answer with one record (the detector, the cascade router): the request goes
 * to its topic keyed by its id, naming this instance's reply topic; the reply with that key comes back through the
 * {@link ReplyRouter}. A failed send fails the call; cancelling the call stops waiting for the reply.
 */
@Component
class OneReplyClient {

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
}
