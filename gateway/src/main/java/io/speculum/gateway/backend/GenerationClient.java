package io.speculum.gateway.backend;

import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Kafka out: a request to {@code llm.generate} keyed by its id, naming this instance's reply topic, and the
 * cancellation of one (same key, sent once the request is on the broker, so the verifier sees it after the request).
 * Neither blocks the caller ({@link KafkaSender}).
 */
@Component
class GenerationClient {

    private static final Logger LOG = LoggerFactory.getLogger(GenerationClient.class);

    private final KafkaSender kafka;
    private final ReplyRouter replies;
    private final ReplyTopic replyTopic;

    GenerationClient(KafkaSender kafka, ReplyRouter replies, ReplyTopic replyTopic) {
        this.kafka = kafka;
        this.replies = replies;
        this.replyTopic = replyTopic;
    }

    String replyTopic() {
        return replyTopic.name();
    }

    /** Registers for the request's events, then sends it; a failed send fails the generation. */
    PendingGeneration start(GenerateRequest request) {
        PendingGeneration generation = replies.register(request);
        generation.sent(kafka.send(Topics.GENERATE, request.requestId(), ProtocolCodec.write(request)).whenComplete((result, failure) -> {
            if (failure != null) {
                replies.forget(request.requestId());
                generation.fail(new BackendUnavailableException("the request could not be sent to Kafka: " + failure.getMessage()));
            }
        }));
        return generation;
    }

    /**
     * Sends the request again, to go on after the tokens its client has: whichever verifier owns the request's
     * partition now serves it, unless it already holds the request (then it drops the copy). A failed send is left to
     * the next attempt.
     */
    void resend(PendingGeneration generation) {
        GenerateRequest again = generation.request().resumedAt(generation.resumePoint());
        LOG.info("{} got no event for a while: sent again from completion position {} (round {})", again.requestId(),
                again.resumedTokens().length, again.resume().round());
        kafka.send(Topics.GENERATE, again.requestId(), ProtocolCodec.write(again)).whenComplete((result, failure) -> {
            if (failure != null) {
                LOG.warn("{} could not be sent again: {}", again.requestId(), failure.getMessage());
            }
        });
    }

    /** Stops waiting for a generation and, unless it has ended, asks the verifier to stop it and free its session. */
    void cancel(PendingGeneration generation, String reason) {
        replies.forget(generation.requestId());
        if (generation.ended()) {
            return;
        }
        LOG.debug("Cancelling {}: {}", generation.requestId(), reason);
        // a request that never reached the broker needs no cancel
        generation.sent().thenRun(() -> kafka.send(Topics.GENERATE, generation.requestId(),
                ProtocolCodec.write(new CancelRequest(generation.requestId(), reason))).whenComplete((result, failure) -> {
                    if (failure != null) {
                        LOG.warn("Could not cancel {}: {}", generation.requestId(), failure.getMessage());
                    }
                }));
    }
}
