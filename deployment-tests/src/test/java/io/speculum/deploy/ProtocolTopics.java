package io.speculum.deploy;

import io.speculum.protocol.Topics;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.TreeSet;

/** The protocol's topics as {@link Topics} declares them (every public String constant naming an {@code llm.} topic). */
final class ProtocolTopics {

    /** Topics one generation's rounds go through: equal partition counts keep it on one warm replica of each service. */
    static final Set<String> ROUND_TRIP = Set.of(Topics.GENERATE, Topics.DRAFT, Topics.VERIFY);

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

    static String value(String constant) {
        try {
            return (String) Topics.class.getField(constant).get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("Topics has no constant " + constant, e);
        }
    }
}
