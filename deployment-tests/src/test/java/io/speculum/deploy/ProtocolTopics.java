package io.speculum.deploy;

import io.speculum.protocol.Topics;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The protocol's topics as {@link Topics} declares them (every public String constant naming an {@code llm.} topic). */
final class ProtocolTopics {

    /** Topics one generation's rounds go through: equal partition counts keep it on one warm replica of each service. */
    static final Set<String> ROUND_TRIP = Set.of(Topics.GENERATE, Topics.DRAFT, Topics.VERIFY);

    /** The gateway's reply topic prefix ({@code speculum.gateway.reply-topic-prefix}'s default). */
    static final String GATEWAY_REPLIES = "llm.replies.";

    private ProtocolTopics() {
    }

    static Set<String> all() {
        Set<String> topics = new TreeSet<>();
        for (Field field : Topics.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                String value = value(field.getName());
                if (value.startsWith("llm.")) {
                    topics.add(value);
                }
            }
        }
        return topics;
    }

    /**
     * The topics a deployment declares: the protocol's and every topic a service reads under a name its configuration
     * fixes (e.g. the cascade router's reply topic). Not the gateways' reply topics ({@value #GATEWAY_REPLIES}
     * plus the instance id): each gateway instance creates and names its own.
     */
    static Set<String> deployable(List<ServiceConfig> services) {
        Set<String> topics = all();
        services.forEach(s -> topics.addAll(s.fixedTopics()));
        return topics;
    }

    static String value(String constant) {
        try {
            return (String) Topics.class.getField(constant).get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("Topics has no constant " + constant, e);
        }
    }
}
