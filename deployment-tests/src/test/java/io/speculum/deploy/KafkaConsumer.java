package io.speculum.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One topic one {@code @KafkaListener} reads, with its consumer group, as the service's sources and shipped YAML fix
 * them. A SpEL expression ({@code #{@bean.method()}}) is a value each instance computes at start: a per-instance group
 * (replicas do not share the work, so no lag scaling) or a per-instance topic (the instance creates it itself, so no
 * manifest declares it). Property placeholders resolve against the YAML, then their defaults.
 *
 * @param listener          the listener's id (or its file, without one)
 * @param group             the consumer group, or the SpEL expression naming it
 * @param perInstanceGroup  whether the group is computed per instance
 * @param topic             the topic, or the SpEL expression naming it
 * @param perInstanceTopic  whether the topic is computed per instance
 */
record KafkaConsumer(String listener, String group, boolean perInstanceGroup, String topic, boolean perInstanceTopic) {

    private static final Pattern START = Pattern.compile("@KafkaListener\\s*\\(");
    private static final Pattern TOPICS = Pattern.compile("\\btopics\\s*=\\s*(\\{[^}]*}|\"[^\"]*\"|Topics\\.[A-Z_]+)");
    private static final Pattern TOPIC = Pattern.compile("\"([^\"]*)\"|Topics\\.([A-Z_]+)");
    private static final Pattern GROUP = Pattern.compile("\\bgroupId\\s*=\\s*\"([^\"]*)\"");
    private static final Pattern ID = Pattern.compile("\\bid\\s*=\\s*\"([^\"]*)\"");
    private static final Pattern UNSUPPORTED = Pattern.compile("\\b(topicPattern|topicPartitions|containerGroup)\\s*=");
    private static final Pattern CLASS = Pattern.compile("^(?:public\\s+|final\\s+|abstract\\s+)*class\\s+\\w+", Pattern.MULTILINE);
    private static final Pattern CONDITION = Pattern.compile("@ConditionalOnProperty\\s*\\(([^)]*)\\)");
    private static final Pattern CONDITION_NAME = Pattern.compile("(?:\\b(?:name|value)\\s*=\\s*)?\"([^\"]+)\"");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^:}]+)(?::([^}]*))?}");

    /**
     * The consumers of every listener under {@code sources} that runs with the shipped configuration {@code properties}
     * (flattened YAML keys): a listener class behind a {@code @ConditionalOnProperty} that the YAML leaves off is left out.
     */
    static List<KafkaConsumer> declaredIn(Path sources, Map<String, Object> properties) {
        List<KafkaConsumer> consumers = new ArrayList<>();
        if (!Files.isDirectory(sources)) {
            return consumers;
        }
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                consumers.addAll(inSource(file.getFileName().toString(), Repository.read(file), properties));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return consumers;
    }

    static List<KafkaConsumer> inSource(String file, String source, Map<String, Object> properties) {
        List<KafkaConsumer> consumers = new ArrayList<>();
        if (!START.matcher(source).find() || !enabled(source, properties)) {
            return consumers;
        }
        Matcher start = START.matcher(source);
        while (start.find()) {
            String attributes = attributes(source, start.end());
            if (UNSUPPORTED.matcher(attributes).find()) {
                throw new IllegalStateException("a @KafkaListener in " + file + " uses an attribute these checks do not read: " + attributes);
            }
            Matcher id = ID.matcher(attributes);
            String name = id.find() ? id.group(1) : file;
            Matcher group = GROUP.matcher(attributes);
            if (!group.find()) {
                // a listener falling back to spring.kafka.consumer.group-id would hide its group from the manifests
                throw new IllegalStateException("the @KafkaListener " + name + " in " + file + " names no groupId");
            }
            boolean perInstanceGroup = group.group(1).startsWith("#{");
            String groupName = perInstanceGroup ? group.group(1) : resolve(group.group(1), properties);
            Matcher topics = TOPICS.matcher(attributes);
            if (!topics.find()) {
                throw new IllegalStateException("the @KafkaListener " + name + " in " + file + " names no topics");
            }
            Matcher topic = TOPIC.matcher(topics.group(1));
            while (topic.find()) {
                if (topic.group(2) != null) {
                    consumers.add(new KafkaConsumer(name, groupName, perInstanceGroup, ProtocolTopics.value(topic.group(2)), false));
                } else if (topic.group(1).startsWith("#{")) {
                    consumers.add(new KafkaConsumer(name, groupName, perInstanceGroup, topic.group(1), true));
                } else {
                    consumers.add(new KafkaConsumer(name, groupName, perInstanceGroup, resolve(topic.group(1), properties), false));
                }
            }
        }
        return consumers;
    }

    /** {@code ${key:default}} placeholders replaced by the YAML's value of key (itself resolved) or the default. */
    static String resolve(String text, Map<String, Object> properties) {
        Matcher placeholder = PLACEHOLDER.matcher(text);
        StringBuilder resolved = new StringBuilder();
        while (placeholder.find()) {
            Object value = properties.get(placeholder.group(1));
            String replacement;
            if (value != null) {
                replacement = resolve(String.valueOf(value), properties);
            } else if (placeholder.group(2) != null) {
                replacement = placeholder.group(2);
            } else {
                throw new IllegalStateException("${" + placeholder.group(1) + "} has no value in the service's YAML and no default");
            }
            placeholder.appendReplacement(resolved, Matcher.quoteReplacement(replacement));
        }
        placeholder.appendTail(resolved);
        return resolved.toString();
    }

    /** The text between the annotation's parentheses (strings may hold parentheses: SpEL method calls). */
    private static String attributes(String source, int from) {
        int depth = 1;
        boolean quoted = false;
        for (int i = from; i < source.length(); i++) {
            char c = source.charAt(i);
            if (c == '"' && source.charAt(i - 1) != '\\') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')' && --depth == 0) {
                return source.substring(from, i);
            }
        }
        throw new IllegalStateException("unterminated @KafkaListener");
    }

    /** The property names of every {@code @ConditionalOnProperty} in a source file (a deployment may switch them). */
    static List<String> conditionKeys(String source) {
        List<String> keys = new ArrayList<>();
        Matcher condition = CONDITION.matcher(source);
        while (condition.find()) {
            Matcher name = CONDITION_NAME.matcher(condition.group(1));
            if (name.find()) {
                keys.add(name.group(1));
            }
        }
        return keys;
    }

    /** Whether the class's own {@code @ConditionalOnProperty}s (before its declaration) hold for the shipped YAML. */
    private static boolean enabled(String source, Map<String, Object> properties) {
        Matcher declaration = CLASS.matcher(source);
        String header = declaration.find() ? source.substring(0, declaration.start()) : "";
        Matcher condition = CONDITION.matcher(header);
        while (condition.find()) {
            Matcher name = CONDITION_NAME.matcher(condition.group(1));
            if (!name.find()) {
                throw new IllegalStateException("a @ConditionalOnProperty without a property name: " + condition.group(1));
            }
            Object value = properties.get(name.group(1));
            boolean matchIfMissing = condition.group(1).replace(" ", "").contains("matchIfMissing=true");
            boolean holds = value == null ? matchIfMissing : !"false".equalsIgnoreCase(resolve(String.valueOf(value), properties));
            if (!holds) {
                return false;
            }
        }
        return true;
    }
}
