package io.speculum.service;

import io.speculum.protocol.GenerationEvent;

/** Publishes a generation's events to the reply topic its request named (see {@link ReplySender}). */
public final class GenerationEventPublisher {

    private final ReplySender replies;

    public GenerationEventPublisher(ReplySender replies) {
        this.replies = replies;
    }

    public void publish(String replyTopic, GenerationEvent event) {
        replies.send(replyTopic, event.requestId(), event);
    }
}
