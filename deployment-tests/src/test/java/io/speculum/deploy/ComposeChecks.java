package io.speculum.deploy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What docker-compose.yml must agree on with the services: topic names and partitions, ports, environment variable
 * names, health checks, dependencies, the model volume and the gpu profile. Returns the problems found, so that a
 * test can show both that the committed file passes and that a drifted one fails.
 */
final class ComposeChecks {

    static final String INIT = "kafka-init";
    static final String KAFKA = "kafka";
    /** Variables the images and the JVM read themselves (not Spring properties). */
    static final Set<String> RUNTIME_VARIABLES = Set.of("JAVA_OPTS", "SPECULUM_LLAMA_LIBRARY", "MANAGEMENT_SERVER_PORT");

    private final Map<String, Object> compose;
    private final List<ServiceConfig> services;
    private final Set<String> topics;
    private final List<String> problems = new ArrayList<>();

    private ComposeChecks(Map<String, Object> compose, List<ServiceConfig> services, Set<String> topics) {
        this.compose = compose;
        this.services = services;
        this.topics = topics;
    }

    static List<String> problems(Map<String, Object> compose, List<ServiceConfig> services, Set<String> topics) {
        ComposeChecks checks = new ComposeChecks(compose, services, topics);
        checks.run();
        return checks.problems;
    }

    /** name -> partitions, from kafka-init's SPECULUM_TOPICS (name:partitions:retention.ms ...). */
    static Map<String, Integer> initTopics(Map<String, Object> compose) {
        Map<String, Integer> partitions = new HashMap<>();
        String spec = Nodes.text(compose, "services", INIT, "environment", "SPECULUM_TOPICS");
        if (spec != null) {
            for (String entry : spec.trim().split("\\s+")) {
                String[] parts = entry.split(":");
                partitions.put(parts[0], parts.length > 1 ? Integer.parseInt(parts[1]) : -1);
            }
        }
        return partitions;
    }

    private void run() {
        Map<String, Object> all = Nodes.mapAt(compose, "services");
        checkKafka(Nodes.mapAt(all, KAFKA));
        Map<String, Integer> partitions = initTopics(compose);
        expect(partitions.keySet().equals(topics), "kafka-init creates " + new TreeSet<>(partitions.keySet())
                + " but the protocol's topics are " + topics);
        Set<Integer> roundTrip = new TreeSet<>();
        ProtocolTopics.ROUND_TRIP.forEach(t -> roundTrip.add(partitions.getOrDefault(t, -1)));
        expect(roundTrip.size() == 1, "llm.generate, llm.draft and llm.verify need equal partition counts, not " + roundTrip);
        // a module may run as several compose services configured differently (drafter-service: drafts, and the
        // cascade's small model); per build target they must together run every listener its shipped configuration runs
        Map<String, Set<String>> run = new HashMap<>();
        all.forEach((name, value) -> {
            Map<String, Object> definition = Nodes.map(value);
            String module = Nodes.text(definition, "build", "args", "SERVICE");
            if (module == null) {
                return;
            }
            ServiceConfig service = services.stream().filter(s -> s.module().equals(module)).findFirst().orElse(null);
            if (service == null) {
                problems.add(name + ": build arg SERVICE " + module + " is no service module");
                return;
            }
            String target = Objects.requireNonNullElse(Nodes.text(definition, "build", "target"), "cpu");
            checkService(service, name, definition, target, partitions);
            Set<String> ran = run.computeIfAbsent(module + "@" + target, k -> new HashSet<>());
            service.configuredBy(Nodes.mapAt(definition, "environment")).listeners()
                    .forEach((group, consumed) -> consumed.forEach(topic -> ran.add(group + "/" + topic)));
        });
        for (ServiceConfig service : services) {
            for (String target : service.hasModel() ? List.of("cpu", "cuda") : List.of("cpu")) {
                Set<String> ran = run.get(service.module() + "@" + target);
                if (ran == null) {
                    problems.add("docker-compose.yml has no " + target + " service of " + service.module());
                    continue;
                }
                service.listeners().forEach((group, consumed) -> consumed.forEach(topic -> expect(ran.contains(group + "/" + topic),
                        service.module() + " (" + target + "): no service consumes " + topic + " in " + group)));
            }
        }
    }

    private void checkKafka(Map<String, Object> kafka) {
        String image = Nodes.text(kafka, "image");
        expect(image != null && image.startsWith("apache/kafka:"), "kafka must use the official apache/kafka image, not " + image);
        String roles = Nodes.text(kafka, "environment", "KAFKA_PROCESS_ROLES");
        expect(roles != null && roles.contains("controller") && roles.contains("broker"), "kafka must run in KRaft mode (broker,controller)");
        expect(Nodes.at(kafka, "healthcheck", "test") != null, "kafka needs a health check");
        expect("false".equals(Nodes.text(kafka, "environment", "KAFKA_AUTO_CREATE_TOPICS_ENABLE")),
                "kafka must not auto-create topics (kafka-init creates them with their partition counts)");
        expect("service_healthy".equals(Nodes.text(compose, "services", INIT, "depends_on", KAFKA, "condition")),
                "kafka-init must wait for a healthy kafka");
    }

    private void checkService(ServiceConfig service, String name, Map<String, Object> definition, String target, Map<String, Integer> partitions) {
        String image = Nodes.text(definition, "image");
        String repository = "speculum/" + service.module() + ("cuda".equals(target) ? "-cuda" : "");
        expect(image != null && image.startsWith(repository + ":"), name + ": image must be " + repository + ", not " + image);
        expect(String.valueOf(service.managementPort()).equals(Nodes.text(definition, "build", "args", "PORT")),
                name + ": build arg PORT (the health check's port) must be " + service.managementPort());
        expect(Set.of("cpu", "cuda").contains(target), name + ": build target must be cpu or cuda, not " + target);
        expect(Nodes.listAt(definition, "ports").stream().map(String::valueOf).anyMatch(p -> p.endsWith(":" + service.port())),
                name + ": must publish container port " + service.port());
        expect(String.valueOf(Nodes.at(definition, "healthcheck", "test")).contains("speculum-healthcheck"),
                name + ": health check must run the image's speculum-healthcheck");
        expect(service.exposed().contains("health"), service.module() + " must expose actuator health for its health check");
        expect("service_completed_successfully".equals(Nodes.text(definition, "depends_on", INIT, "condition")),
                name + ": must start after kafka-init completed");

        Map<String, Object> environment = Nodes.mapAt(definition, "environment");
        expect("kafka:9092".equals(Nodes.text(environment, "SPECULUM_KAFKA_BOOTSTRAP")), name + ": SPECULUM_KAFKA_BOOTSTRAP must be kafka:9092");
        for (String variable : environment.keySet()) {
            expect(RUNTIME_VARIABLES.contains(variable) || service.environment().contains(variable),
                    name + ": " + variable + " binds to no property of " + service.module());
        }
        expect(String.valueOf(partitions.get("llm.generate")).equals(Nodes.text(environment, "SPECULUM_KAFKA_PARTITIONS")),
                name + ": SPECULUM_KAFKA_PARTITIONS must equal kafka-init's partitions");
        if (service.hasModel()) {
            String path = Nodes.text(environment, service.modelPrefix() + "PATH");
            expect(path != null && path.startsWith("/models/"), name + ": the model path must point into /models");
            expect(environment.containsKey(service.modelPrefix() + "GPULAYERS"), name + ": must set " + service.modelPrefix() + "GPULAYERS");
            List<Object> volumes = Nodes.listAt(definition, "volumes");
            expect(volumes.stream().anyMatch(v -> "/models".equals(Nodes.text(v, "target")) && Boolean.TRUE.equals(Nodes.at(v, "read_only"))),
                    name + ": models must be mounted read-only at /models");
        }
        if ("cuda".equals(target)) {
            expect(Nodes.listAt(definition, "profiles").contains("gpu"), name + ": must be in the gpu profile");
            List<Object> devices = Nodes.listAt(definition, "deploy", "resources", "reservations", "devices");
            expect(devices.stream().anyMatch(d -> "nvidia".equals(Nodes.text(d, "driver")) && Nodes.listAt(d, "capabilities").contains("gpu")),
                    name + ": must reserve an NVIDIA GPU");
        } else if (service.hasModel()) {
            expect(!Nodes.listAt(definition, "profiles").contains("gpu"), name + ": the CPU variant must not be in the gpu profile");
        }
    }

    private void expect(boolean condition, String problem) {
        if (!condition) {
            problems.add(problem);
        }
    }
}
