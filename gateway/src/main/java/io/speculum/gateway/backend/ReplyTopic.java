package io.speculum.gateway.backend;

/**
 * This gateway instance's own reply topic (one partition) and the consumer group that reads it: verifiers send a
 * request's events to the topic the request names, so replicas never see each other's replies.
 *
 * @param ephemeral the instance id was generated, so the topic is deleted when the instance stops
 */
public record ReplyTopic(String instanceId, String name, boolean ephemeral) {

    public String group() {
        return "speculum-gateway-" + instanceId;
    }
}
