package io.speculum.service;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a service declares the protocol's topics and checks its broker.
 *
 * @param createTopics  create missing protocol topics at start (off where an operator, e.g. Strimzi, owns them)
 * @param partitions    partitions per topic; records are keyed by request id, so this bounds replica parallelism
 * @param replicas      replication factor
 * @param healthTimeout how long the health check waits for the broker (and a reply topic's look-up)
 * @param replyTopicPattern reply topics named in requests that the services create when missing (with
 *                      {@code createTopics}); empty: none. A reply to a missing topic that may not be created is
 *                      logged and counted, not sent
 */
@ConfigurationProperties("speculum.kafka")
public record SpeculumKafkaProperties(
        @DefaultValue("true") boolean createTopics,
        @DefaultValue("3") int partitions,
        @DefaultValue("1") short replicas,
        @DefaultValue("2s") Duration healthTimeout,
        @DefaultValue(".*replies.*") String replyTopicPattern) {
}
