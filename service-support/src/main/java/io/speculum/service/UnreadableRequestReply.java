package io.speculum.service;

import java.util.Set;
import java.util.function.BiFunction;

/**
 * How a service answers a record on one of its request topics that it cannot read but whose {@code requestId} and
 * {@code replyTopic} it can: the shared error handler sends {@code reply(requestId, reason)} to that reply topic, as
 * well as the record to the dead-letter topic. A bean per reply type.
 *
 * @param topics the request topics this answer is for
 * @param reply  the answer (an error event or reply carrying {@code INVALID_REQUEST} and the reason)
 */
public record UnreadableRequestReply(Set<String> topics, BiFunction<String, String, Object> reply) {

    public UnreadableRequestReply {
        topics = Set.copyOf(topics);
    }
}
