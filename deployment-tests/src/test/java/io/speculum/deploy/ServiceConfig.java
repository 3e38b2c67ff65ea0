package io.speculum.deploy;

import io.speculum.service.SpeculumKafkaProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One service as its own module declares it: port, management port, exposed actuator endpoints, the property keys of
 * its YAML file and the Kafka listeners in its sources. Deployment files are checked against this, never against
 * copied values.
 *
 * @param module         the module directory, also the image and workload name
 * @param port           {@code server.port}
 * @param managementPort {@code management.server.port}, or the server port when actuator shares it
 * @param exposed        {@code management.endpoints.web.exposure.include}
 * @param environment    environment variable names Spring binds to a property of this service
 * @param properties     its YAML file's keys, flattened, with their values
 * @param consumers      the {@code @KafkaListener}s in its sources that run with this configuration
 * @param sources        its main sources
 * @param sourceKeys     property keys its sources read through {@code ${key:default}} placeholders (e.g. listener groups)
 *                       or {@code @ConditionalOnProperty} (e.g. listener switches)
 */
record ServiceConfig(String module, int port, int managementPort, Set<String> exposed, Set<String> environment,
                     Map<String, Object> properties, List<KafkaConsumer> consumers, Path sources, Set<String> sourceKeys) {

    private static final Pattern SOURCE_PLACEHOLDER = Pattern.compile("\\$\\{([a-z][a-z0-9.-]*)[:}]");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

    /** Every module with {@code src/main/resources/<module>.yml} that sets a server port. */
    static List<ServiceConfig> all() {
        try (Stream<Path> modules = Files.list(Repository.root())) {
            List<ServiceConfig> services = new ArrayList<>();
            for (Path module : modules.sorted().toList()) {
                Path yaml = module.resolve("src/main/resources/" + module.getFileName() + ".yml");
                if (Files.isRegularFile(yaml) && Nodes.at(Repository.yaml(yaml), "server", "port") != null) {
                    services.add(read(module, yaml));
                }
            }
            return services;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ServiceConfig named(String module) {
        return all().stream().filter(s -> s.module.equals(module)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service module " + module));
    }

    /**
     * This service as a deployment configures it: the environment variables that bind to one of its keys override
     * the YAML's value, and its listeners are read again (a group or topic may come from the environment).
     */
    ServiceConfig configuredBy(Map<String, ?> variables) {
        Map<String, Object> configured = new TreeMap<>(properties);
        Set<String> keys = new TreeSet<>(properties.keySet());
        keys.addAll(sourceKeys);
        for (String key : keys) {
            Object value = variables.get(environmentName(key));
            if (value != null) {
                configured.put(key, value);
            }
        }
        return new ServiceConfig(module, port, managementPort, exposed, environment, configured,
                KafkaConsumer.declaredIn(sources, configured), sources, sourceKeys);
    }

    /** Shared consumer group -> topics: the work that replicas of this service divide (and scale on). */
    Map<String, Set<String>> listeners() {
        Map<String, Set<String>> groups = new LinkedHashMap<>();
        consumers.stream().filter(c -> !c.perInstanceGroup())
                .forEach(c -> groups.computeIfAbsent(c.group(), g -> new TreeSet<>()).add(c.topic()));
        return groups;
    }

    /** Topics it reads whose names its configuration fixes (not a topic each instance names for itself at run time). */
    Set<String> fixedTopics() {
        Set<String> topics = new TreeSet<>();
        consumers.stream().filter(c -> !c.perInstanceTopic()).forEach(c -> topics.add(c.topic()));
        return topics;
    }

    /** The effective value of one of its keys: the YAML's, a {@code ${PLACEHOLDER:default}} resolved to its default. */
    String property(String key) {
        Object value = properties.get(key);
        return value == null ? null : KafkaConsumer.resolve(String.valueOf(value), properties);
    }

    boolean hasModel() {
        return environment.stream().anyMatch(name -> name.endsWith("_MODEL_PATH"));
    }

    /** The environment variable prefix of its model keys, e.g. SPECULUM_VERIFIER_MODEL_. */
    String modelPrefix() {
        return environment.stream().filter(name -> name.endsWith("_MODEL_PATH")).findFirst()
                .map(name -> name.substring(0, name.length() - "PATH".length()))
                .orElseThrow(() -> new IllegalStateException(module + " has no model"));
    }

    private static ServiceConfig read(Path module, Path yamlFile) {
        Map<String, Object> yaml = Repository.yaml(yamlFile);
        int port = ((Number) Nodes.at(yaml, "server", "port")).intValue();
        String include = Nodes.text(yaml, "management", "endpoints", "web", "exposure", "include");
        Set<String> exposed = include == null ? Set.of() : Set.of(include.replace(" ", "").split(","));

        Set<String> environment = new HashSet<>();
        Map<String, Object> flat = new TreeMap<>();
        flatten("", yaml, flat);
        // e.g. ${SPECULUM_GATEWAY_MANAGEMENT_PORT:8090}: the port the shipped configuration opens
        Object management = flat.get("management.server.port");
        int managementPort = management == null ? port : Integer.parseInt(KafkaConsumer.resolve(String.valueOf(management), flat));
        flat.keySet().forEach(key -> environment.add(environmentName(key)));
        Matcher placeholders = PLACEHOLDER.matcher(Repository.read(yamlFile));
        while (placeholders.find()) {
            environment.add(placeholders.group(1));
        }
        for (var component : SpeculumKafkaProperties.class.getRecordComponents()) {
            environment.add(environmentName("speculum.kafka." + kebab(component.getName())));
        }
        Path sources = module.resolve("src/main/java");
        Set<String> sourceKeys = sourceKeys(sources);
        sourceKeys.forEach(key -> environment.add(environmentName(key)));
        return new ServiceConfig(module.getFileName().toString(), port, managementPort, exposed, Set.copyOf(environment),
                flat, KafkaConsumer.declaredIn(sources, flat), sources, Set.copyOf(sourceKeys));
    }

    private static Set<String> sourceKeys(Path sources) {
        Set<String> keys = new TreeSet<>();
        if (!Files.isDirectory(sources)) {
            return keys;
        }
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Repository.read(file);
                Matcher placeholder = SOURCE_PLACEHOLDER.matcher(source);
                while (placeholder.find()) {
                    keys.add(placeholder.group(1));
                }
                // switches such as speculum.drafter.drafts.enabled: a deployment's environment may turn listeners off
                keys.addAll(KafkaConsumer.conditionKeys(source));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    private static void flatten(String prefix, Map<String, Object> node, Map<String, Object> into) {
        node.forEach((key, value) -> {
            String path = prefix.isEmpty() ? key : prefix + "." + key;
            if (value instanceof Map<?, ?> child) {
                flatten(path, Nodes.map(child), into);
            } else {
                into.put(path, value);
            }
        });
    }

    /** Spring Boot's relaxed binding from the environment: dots to underscores, dashes removed, upper case. */
    static String environmentName(String property) {
        return property.replace("-", "").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
