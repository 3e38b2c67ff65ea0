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
 * What a rendered overlay must agree on with the services: a KafkaTopic per protocol topic with equal round-trip
 * partitions, KRaft node pools, container and Service ports, actuator probe paths and ports, environment variable
 * names, KEDA triggers on the consumer groups the services really use (capped at the partition count), the gateway's
 * HPA, PDBs, network policies, and the GPU settings of the gpu overlay. Returns the problems found.
 */
final class KubernetesChecks {

    static final String LIVENESS = "/actuator/health/liveness";
    static final String READINESS = "/actuator/health/readiness";
    static final String COMMON_CONFIG = "speculum-common";
    static final String SMALL_GENERATE = "llm.small-generate";
    static final String SMALL_MODEL = "speculum.cascade.small-model";
    static final String GENERATION_MODEL_NAME = "speculum.drafter.generation.model-name";
    static final String READINESS_GROUP = "management.endpoint.health.group.readiness.include";
    /** The gateway's accepted keys: comma-separated {@code sha256:<hex>} hashes, never the keys themselves. */
    static final String API_KEYS = "SPECULUM_API_KEYS";
    private static final java.util.regex.Pattern HASHED_KEYS = java.util.regex.Pattern.compile("sha256:[0-9a-f]{64}(,sha256:[0-9a-f]{64})*");
    /** Spring Boot keys the manifests set beyond each service's YAML file (probe groups on any platform). */
    static final Set<String> SPRING_VARIABLES = Set.of("MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED",
            "MANAGEMENT_ENDPOINT_HEALTH_GROUP_READINESS_INCLUDE");

    private final List<Map<String, Object>> objects;
    private final List<ServiceConfig> services;
    private final Set<String> topics;
    private final boolean gpu;
    private final List<String> problems = new ArrayList<>();
    /** The model names the workloads consuming llm.small-generate serve, and those the cascade routers ask for. */
    private final Set<String> smallModelsServed = new TreeSet<>();
    private final Set<String> smallModelsAsked = new TreeSet<>();

    private KubernetesChecks(List<Map<String, Object>> objects, List<ServiceConfig> services, Set<String> topics, boolean gpu) {
        this.objects = objects;
        this.services = services;
        this.topics = topics;
        this.gpu = gpu;
    }

    static List<String> problems(List<Map<String, Object>> objects, List<ServiceConfig> services, Set<String> topics, boolean gpu) {
        KubernetesChecks checks = new KubernetesChecks(objects, services, topics, gpu);
        checks.run();
        return checks.problems;
    }

    private void run() {
        Map<String, Integer> partitions = checkKafka();
        Map<String, Object> common = find("ConfigMap", COMMON_CONFIG);
        String bootstrap = Nodes.text(common, "data", "SPECULUM_KAFKA_BOOTSTRAP");
        String kafkaName = Nodes.text(first("Kafka"), "metadata", "name");
        expect(Objects.equals(bootstrap, kafkaName + "-kafka-bootstrap:" + plainListenerPort()),
                "SPECULUM_KAFKA_BOOTSTRAP " + bootstrap + " is not the Strimzi bootstrap service of Kafka " + kafkaName);
        expect(String.valueOf(partitions.get("llm.generate")).equals(Nodes.text(common, "data", "SPECULUM_KAFKA_PARTITIONS")),
                "SPECULUM_KAFKA_PARTITIONS must equal the KafkaTopics' partitions");
        expect("false".equals(Nodes.text(common, "data", "SPECULUM_KAFKA_CREATETOPICS")), "the topic operator owns the topics: SPECULUM_KAFKA_CREATETOPICS must be false");
        // a module may run as several Deployments configured differently (drafter-service: drafts, and the cascade's
        // small model); together they must run every listener the module's shipped configuration runs
        Map<String, Set<String>> run = new HashMap<>();
        for (Map<String, Object> deployment : all("Deployment")) {
            String workload = Nodes.text(deployment, "metadata", "name");
            ServiceConfig service = moduleOf(deployment);
            if (service == null) {
                problems.add("Deployment " + workload + " runs the image of no service module");
                continue;
            }
            ServiceConfig configured = checkWorkload(service, workload, deployment, bootstrap, partitions);
            configured.listeners().forEach((group, consumed) -> consumed.forEach(t -> run.computeIfAbsent(service.module(), m -> new HashSet<>()).add(group + "/" + t)));
        }
        for (ServiceConfig service : services) {
            expect(all("Deployment").stream().anyMatch(d -> service.equals(moduleOf(d))), "no Deployment runs " + service.module());
            service.listeners().forEach((group, consumed) -> consumed.forEach(topic -> expect(run.getOrDefault(service.module(), Set.of()).contains(group + "/" + topic),
                    service.module() + ": no Deployment consumes " + topic + " in " + group)));
        }
        smallModelsAsked.forEach(model -> expect(smallModelsServed.contains(model), "the cascade router asks for small model "
                + model + " but the workloads on " + SMALL_GENERATE + " serve " + smallModelsServed));
        checkNetworkPolicies();
    }

    /** The service module whose image (speculum/<module>, or its -cuda variant) the Deployment's container runs. */
    private ServiceConfig moduleOf(Map<String, Object> deployment) {
        List<Object> containers = Nodes.listAt(deployment, "spec", "template", "spec", "containers");
        String image = containers.isEmpty() ? null : Nodes.text(containers.getFirst(), "image");
        if (image == null) {
            return null;
        }
        String repository = image.replaceFirst(":[^:/]*$", "");
        String module = repository.substring(repository.lastIndexOf('/') + 1).replaceFirst("-cuda$", "");
        return services.stream().filter(s -> s.module().equals(module)).findFirst().orElse(null);
    }

    private Map<String, Integer> checkKafka() {
        Map<String, Integer> partitions = new HashMap<>();
        for (Map<String, Object> topic : all("KafkaTopic")) {
            String name = Objects.requireNonNullElse(Nodes.text(topic, "spec", "topicName"), Nodes.text(topic, "metadata", "name"));
            partitions.put(name, ((Number) Nodes.at(topic, "spec", "partitions")).intValue());
            expect(Nodes.at(topic, "spec", "config", "retention.ms") != null, "KafkaTopic " + name + " must state retention.ms");
            expect(Nodes.at(topic, "spec", "replicas") != null, "KafkaTopic " + name + " must state replicas");
        }
        expect(partitions.keySet().equals(topics), "KafkaTopics " + new TreeSet<>(partitions.keySet()) + " differ from the protocol's topics " + topics);
        Set<Integer> roundTrip = new TreeSet<>();
        ProtocolTopics.ROUND_TRIP.forEach(t -> roundTrip.add(partitions.getOrDefault(t, -1)));
        expect(roundTrip.size() == 1, "llm.generate, llm.draft and llm.verify need equal partition counts, not " + roundTrip);
        Set<Object> roles = new HashSet<>();
        all("KafkaNodePool").forEach(pool -> roles.addAll(Nodes.listAt(pool, "spec", "roles")));
        expect(roles.containsAll(Set.of("controller", "broker")), "the KafkaNodePools must provide KRaft controllers and brokers");
        expect(all("Kafka").size() == 1, "one Kafka cluster");
        return partitions;
    }

    private int plainListenerPort() {
        return Nodes.listAt(first("Kafka"), "spec", "kafka", "listeners").stream()
                .filter(l -> Boolean.FALSE.equals(Nodes.at(l, "tls")))
                .map(l -> ((Number) Nodes.at(l, "port")).intValue()).findFirst().orElse(-1);
    }

    /** Checks one Deployment of the service and returns the service as its environment configures it. */
    private ServiceConfig checkWorkload(ServiceConfig service, String name, Map<String, Object> deployment, String bootstrap,
                                        Map<String, Integer> partitions) {
        Map<String, Object> pod = Nodes.mapAt(deployment, "spec", "template");
        Map<String, Object> container = Nodes.listAt(pod, "spec", "containers").stream().map(Nodes::map)
                .filter(c -> name.equals(c.get("name"))).findFirst().orElse(Map.of());
        expect(!container.isEmpty(), name + ": no container named " + name);
        expect(Nodes.listAt(pod, "spec", "containers").size() == 1, name + ": one container per pod");
        Map<String, Integer> ports = new HashMap<>();
        Nodes.listAt(container, "ports").forEach(p -> ports.put(Nodes.text(p, "name"), ((Number) Nodes.at(p, "containerPort")).intValue()));
        expect(ports.containsValue(service.port()), name + ": containerPort must be server.port " + service.port());
        checkProbe(service, container, "startupProbe", LIVENESS, ports);
        checkProbe(service, container, "livenessProbe", LIVENESS, ports);
        checkProbe(service, container, "readinessProbe", READINESS, ports);
        expect(service.exposed().contains("health"), name + " must expose actuator health for its probes");
        expect(service.exposed().contains("prometheus"), name + " must expose actuator prometheus for scraping");
        expect(String.valueOf(service.managementPort()).equals(Nodes.text(pod, "metadata", "annotations", "prometheus.io/port")),
                name + ": prometheus.io/port must be the management port " + service.managementPort());
        expect("/actuator/prometheus".equals(Nodes.text(pod, "metadata", "annotations", "prometheus.io/path")), name + ": prometheus.io/path");
        expect(Nodes.at(container, "resources", "requests", "cpu") != null && Nodes.at(container, "resources", "limits", "memory") != null,
                name + ": needs cpu requests and memory limits");
        expect(Boolean.TRUE.equals(Nodes.at(pod, "spec", "securityContext", "runAsNonRoot")), name + ": must run as non-root");

        Map<String, Object> svc = find("Service", name);
        expect(svc != null && Nodes.listAt(svc, "spec", "ports").stream().anyMatch(p -> Objects.equals(Nodes.at(p, "port"), service.port())),
                name + ": its Service must serve port " + service.port());
        expect(find("PodDisruptionBudget", name) != null, name + ": needs a PodDisruptionBudget");
        Map<String, Object> environment = checkEnvironment(service, container);
        ServiceConfig configured = service.configuredBy(environment);
        if (configured.listeners().values().stream().anyMatch(t -> t.contains(SMALL_GENERATE)) && service.hasModel()) {
            // the served name: model-name if set, else the model file's name without .gguf
            String named = Objects.toString(environment.get(ServiceConfig.environmentName(GENERATION_MODEL_NAME)), "");
            String file = Objects.toString(environment.get(service.modelPrefix() + "PATH"), "");
            file = file.substring(file.lastIndexOf('/') + 1);
            smallModelsServed.add(!named.isBlank() ? named : file.endsWith(".gguf") ? file.substring(0, file.length() - ".gguf".length()) : file);
        }
        String asked = configured.property(SMALL_MODEL);
        if (asked != null && !asked.isBlank()) {
            smallModelsAsked.add(asked);
        }
        if (service.hasModel()) {
            expect(Nodes.listAt(container, "volumeMounts").stream().anyMatch(m -> "/models".equals(Nodes.text(m, "mountPath"))
                    && Boolean.TRUE.equals(Nodes.at(m, "readOnly"))), name + ": models must be mounted read-only at /models");
            checkGpu(service, pod, container);
        }
        if ("gateway".equals(service.module())) {
            Map<String, Object> hpa = find("HorizontalPodAutoscaler", name);
            expect(hpa != null && name.equals(Nodes.text(hpa, "spec", "scaleTargetRef", "name")), "the gateway needs an HPA");
        } else {
            // the groups and listeners as this Deployment's environment sets them: KEDA must watch those and no others
            checkScaledObject(configured, name, bootstrap, partitions);
        }
        return configured;
    }

    private void checkProbe(ServiceConfig service, Map<String, Object> container, String probe, String path, Map<String, Integer> ports) {
        Map<String, Object> get = Nodes.mapAt(container, probe, "httpGet");
        expect(path.equals(get.get("path")), service.module() + ": " + probe + " must get " + path + ", not " + get.get("path"));
        Object port = get.get("port");
        Integer resolved = port instanceof Number n ? Integer.valueOf(n.intValue()) : ports.get(String.valueOf(port));
        expect(Objects.equals(resolved, service.managementPort()),
                service.module() + ": " + probe + " must target the management port " + service.managementPort() + ", not " + port);
    }

    /** Checks the container's environment and returns it (name -> value). */
    private Map<String, Object> checkEnvironment(ServiceConfig service, Map<String, Object> container) {
        // what the container sees: envFrom in order (later sources win), then env
        Map<String, Object> values = new HashMap<>();
        for (Object source : Nodes.listAt(container, "envFrom")) {
            String config = Nodes.text(source, "configMapRef", "name");
            if (config != null) {
                Map<String, Object> configMap = find("ConfigMap", config);
                expect(configMap != null, service.module() + ": ConfigMap " + config + " does not exist");
                values.putAll(Nodes.mapAt(configMap, "data"));
            }
        }
        for (Object variable : Nodes.listAt(container, "env")) {
            values.put(Nodes.text(variable, "name"), Objects.requireNonNullElse(Nodes.at(variable, "value"), secretValue(service, variable)));
        }
        for (String variable : new TreeSet<>(values.keySet())) {
            expect(ComposeChecks.RUNTIME_VARIABLES.contains(variable) || SPRING_VARIABLES.contains(variable) || service.environment().contains(variable),
                    service.module() + ": " + variable + " binds to no property of " + service.module());
        }
        expect(values.containsKey("SPECULUM_KAFKA_BOOTSTRAP"), service.module() + ": needs SPECULUM_KAFKA_BOOTSTRAP");
        String own = service.property(READINESS_GROUP);
        Object set = values.get(ServiceConfig.environmentName(READINESS_GROUP));
        if (own != null && set != null) {
            Set<String> members = Set.of(String.valueOf(set).replace(" ", "").split(","));
            expect(members.containsAll(List.of(own.replace(" ", "").split(","))), service.module() + ": readiness group " + set
                    + " leaves out members of its own " + own);
        }
        if (service.environment().contains(API_KEYS)) {
            boolean fromSecret = Nodes.listAt(container, "env").stream()
                    .anyMatch(e -> API_KEYS.equals(Nodes.text(e, "name")) && Nodes.at(e, "valueFrom", "secretKeyRef") != null);
            expect(fromSecret, service.module() + ": " + API_KEYS + " must come from a Secret");
            Object keys = values.get(API_KEYS);
            expect(keys != null && HASHED_KEYS.matcher(String.valueOf(keys)).matches(),
                    service.module() + ": " + API_KEYS + " must hold sha256:<hex> hashes, not " + keys);
        }
        return values;
    }

    /** The value a secretKeyRef points at (stringData), or null; a reference to a missing Secret or key is a problem. */
    private Object secretValue(ServiceConfig service, Object variable) {
        Map<String, Object> reference = Nodes.mapAt(variable, "valueFrom", "secretKeyRef");
        if (reference.isEmpty()) {
            return null;
        }
        Map<String, Object> secret = find("Secret", String.valueOf(reference.get("name")));
        Object value = secret == null ? null : Nodes.mapAt(secret, "stringData").get(String.valueOf(reference.get("key")));
        expect(value != null, service.module() + ": " + Nodes.text(variable, "name") + " refers to no Secret key " + reference);
        return value;
    }

    private void checkGpu(ServiceConfig service, Map<String, Object> pod, Map<String, Object> container) {
        String name = service.module();
        Object gpus = Nodes.at(container, "resources", "limits", "nvidia.com/gpu");
        String image = Nodes.text(container, "image");
        if (gpu) {
            expect(gpus != null, name + ": the gpu overlay must limit nvidia.com/gpu");
            expect(image != null && image.contains("-cuda"), name + ": the gpu overlay must run the cuda image, not " + image);
            expect(!Nodes.mapAt(pod, "spec", "nodeSelector").isEmpty() && !Nodes.listAt(pod, "spec", "tolerations").isEmpty(),
                    name + ": the gpu overlay needs a nodeSelector and tolerations");
            expect(Nodes.listAt(container, "env").stream().anyMatch(e -> (service.modelPrefix() + "GPULAYERS").equals(Nodes.text(e, "name"))),
                    name + ": the gpu overlay must set " + service.modelPrefix() + "GPULAYERS");
        } else {
            expect(gpus == null && image != null && !image.contains("-cuda"), name + ": the cpu overlay must not ask for GPUs or cuda images");
        }
    }

    private void checkScaledObject(ServiceConfig service, String name, String bootstrap, Map<String, Integer> partitions) {
        Map<String, Object> scaled = find("ScaledObject", name);
        if (scaled == null) {
            problems.add(name + ": needs a KEDA ScaledObject");
            return;
        }
        expect(name.equals(Nodes.text(scaled, "spec", "scaleTargetRef", "name")), name + ": ScaledObject must target its Deployment");
        Set<String> triggered = new HashSet<>();
        int cap = Integer.MAX_VALUE;
        for (Object trigger : Nodes.listAt(scaled, "spec", "triggers")) {
            expect("kafka".equals(Nodes.text(trigger, "type")), name + ": triggers must be kafka lag");
            expect(Objects.equals(bootstrap, Nodes.text(trigger, "metadata", "bootstrapServers")), name + ": trigger bootstrapServers must be " + bootstrap);
            String group = Nodes.text(trigger, "metadata", "consumerGroup");
            String topic = Nodes.text(trigger, "metadata", "topic");
            Set<String> consumed = service.listeners().getOrDefault(group, Set.of());
            expect(!consumed.isEmpty(), name + ": consumer group " + group + " is not one of its listeners' shared groups " + service.listeners().keySet());
            if (topic != null) {
                expect(consumed.contains(topic), name + ": group " + group + " does not consume " + topic);
                triggered.add(group + "/" + topic);
                cap = Math.min(cap, partitions.getOrDefault(topic, 0));
            } else {
                // no topic: KEDA sums the group's lag over every topic it consumes
                consumed.forEach(t -> triggered.add(group + "/" + t));
                cap = Math.min(cap, consumed.stream().mapToInt(t -> partitions.getOrDefault(t, 0)).min().orElse(0));
            }
        }
        service.listeners().forEach((group, consumed) -> consumed.forEach(topic -> expect(triggered.contains(group + "/" + topic),
                name + ": lag of " + group + " on " + topic + " scales nothing")));
        Object max = Nodes.at(scaled, "spec", "maxReplicaCount");
        expect(max instanceof Number n && n.intValue() <= cap, name + ": maxReplicaCount " + max + " exceeds the partition count " + cap);
    }

    private void checkNetworkPolicies() {
        for (Map<String, Object> policy : all("NetworkPolicy")) {
            String selected = Nodes.text(policy, "spec", "podSelector", "matchLabels", "app.kubernetes.io/name");
            for (Object rule : Nodes.listAt(policy, "spec", "ingress")) {
                boolean fromAnywhere = Nodes.at(rule, "from") == null;
                expect(!fromAnywhere || "gateway".equals(selected), "NetworkPolicy " + Nodes.text(policy, "metadata", "name")
                        + " opens ingress from anywhere to " + (selected == null ? "every service" : selected) + "; only the gateway may be");
            }
            for (Object rule : Nodes.listAt(policy, "spec", "egress")) {
                boolean toKafka = Nodes.listAt(rule, "to").stream().anyMatch(t -> Nodes.at(t, "podSelector", "matchLabels", "strimzi.io/cluster") != null);
                boolean dns = Nodes.listAt(rule, "ports").stream().allMatch(p -> Objects.equals(Nodes.at(p, "port"), 53));
                expect(toKafka || dns, "NetworkPolicy " + Nodes.text(policy, "metadata", "name") + " allows egress elsewhere than Kafka and DNS");
            }
        }
        expect(all("NetworkPolicy").stream().anyMatch(p -> Nodes.mapAt(p, "spec", "podSelector", "matchLabels").containsKey("app.kubernetes.io/part-of")
                && Nodes.listAt(p, "spec", "policyTypes").containsAll(List.of("Ingress", "Egress")) && Nodes.at(p, "spec", "ingress") == null
                && Nodes.at(p, "spec", "egress") == null), "a default-deny NetworkPolicy must cover every Speculum pod");
    }

    private List<Map<String, Object>> all(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    private Map<String, Object> first(String kind) {
        return all(kind).stream().findFirst().orElse(Map.of());
    }

    private Map<String, Object> find(String kind, String name) {
        return all(kind).stream().filter(o -> name.equals(Nodes.text(o, "metadata", "name"))).findFirst().orElse(null);
    }

    private void expect(boolean condition, String problem) {
        if (!condition) {
            problems.add(problem);
        }
    }
}
