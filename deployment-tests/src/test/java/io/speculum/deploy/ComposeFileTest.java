package io.speculum.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** docker-compose.yml, parsed and checked against the services' own configuration (no Docker needed). */
class ComposeFileTest {

    private static final List<ServiceConfig> SERVICES = ServiceConfig.all();
    private static final Set<String> TOPICS = ProtocolTopics.deployable(SERVICES);

    @Test
    void findsTheFiveServicesAndTheProtocolTopics() {
        assertThat(SERVICES).extracting(ServiceConfig::module)
                .contains("drafter-service", "verifier-service", "cascade-router", "detector-service", "gateway");
        assertThat(TOPICS).contains("llm.generate", "llm.draft", "llm.verify", "llm.dead-letter");
        assertThat(ServiceConfig.named("verifier-service").listeners()).containsEntry("speculum-verifier", Set.of("llm.generate", "llm.verify"));
        assertThat(TOPICS).contains("llm.cascade", "llm.detect", "llm.cascade-router-replies").noneMatch(t -> t.startsWith(ProtocolTopics.GATEWAY_REPLIES));
    }

    @Test
    void theComposeFileAgreesWithTheServices() {
        assertThat(ComposeChecks.problems(compose(), SERVICES, TOPICS)).isEmpty();
    }

    @Test
    void aMissingTopicIsCaught() {
        assertDrift(c -> environment(c, "kafka-init").put("SPECULUM_TOPICS", "llm.generate:6:1 llm.draft:6:1 llm.verify:6:1"), "protocol's topics");
    }

    @Test
    void unequalRoundTripPartitionsAreCaught() {
        assertDrift(c -> environment(c, "kafka-init").compute("SPECULUM_TOPICS", (k, v) -> String.valueOf(v).replace("llm.draft:6", "llm.draft:3")),
                "equal partition counts");
    }

    @Test
    void aMissingServiceTopicIsCaught() {
        assertDrift(c -> environment(c, "kafka-init").compute("SPECULUM_TOPICS", (k, v) -> String.valueOf(v).replace("llm.cascade-router-replies:6:600000", "")),
                "protocol's topics");
    }

    @Test
    void aGatewayReplyTopicInTheInitIsCaught() {
        assertDrift(c -> environment(c, "kafka-init").compute("SPECULUM_TOPICS", (k, v) -> v + " llm.replies.gw-1:1:3600000"), "protocol's topics");
    }

    @Test
    void aGatewayHealthCheckOnTheApiPortIsCaught() {
        assertDrift(c -> Nodes.map(Nodes.at(service(c, "gateway"), "build", "args")).put("PORT", "8080"), "must be 8090");
    }

    @Test
    void aWrongPortIsCaught() {
        assertDrift(c -> service(c, "verifier-service").put("ports", List.of("9999:9999")), "container port 8082");
    }

    @Test
    void anEnvironmentVariableThatBindsToNothingIsCaught() {
        assertDrift(c -> environment(c, "drafter-service").put("SPECULUM_DRAFTER_MODEL_PATHS", "/models/x.gguf"), "binds to no property");
    }

    @Test
    void aWritableModelVolumeIsCaught() {
        assertDrift(c -> service(c, "detector-service").put("volumes", List.of(Map.of("type", "bind", "source", "./models", "target", "/models"))),
                "read-only");
    }

    @Test
    void bothDrafterServicesAreChecked() {
        assertDrift(c -> environment(c, "drafter-small").put("SPECULUM_DRAFTER_MODEL_PATHS", "/models/x.gguf"), "drafter-small: SPECULUM_DRAFTER_MODEL_PATHS binds to no property");
        assertDrift(c -> service(c, "drafter-small-gpu").remove("deploy"), "drafter-small-gpu: must reserve an NVIDIA GPU");
        assertDrift(c -> service(c, "drafter-small").put("image", "speculum/verifier-service:1"), "drafter-small: image must be speculum/drafter-service");
    }

    @Test
    void aListenerNoServiceRunsIsCaught() {
        // the main drafter does not generate: without drafter-small nothing answers the cascade's small model
        assertDrift(c -> Nodes.map(c.get("services")).remove("drafter-small"),
                "drafter-service (cpu): no service consumes llm.small-generate in speculum-small-generate");
        assertDrift(c -> environment(c, "drafter-service-gpu").put("SPECULUM_DRAFTER_DRAFTS_ENABLED", "false"),
                "drafter-service (cuda): no service consumes llm.draft in speculum-drafter");
    }

    @Test
    void aGpuServiceWithoutAGpuIsCaught() {
        assertDrift(c -> service(c, "verifier-service-gpu").remove("deploy"), "NVIDIA GPU");
    }

    private static void assertDrift(Consumer<Map<String, Object>> change, String expected) {
        Map<String, Object> compose = compose();
        change.accept(compose);
        assertThat(ComposeChecks.problems(compose, SERVICES, TOPICS)).anySatisfy(p -> assertThat(p).contains(expected));
    }

    private static Map<String, Object> compose() {
        return Repository.yaml(Repository.file("docker-compose.yml"));
    }

    private static Map<String, Object> service(Map<String, Object> compose, String name) {
        return Nodes.map(Nodes.at(compose, "services", name));
    }

    private static Map<String, Object> environment(Map<String, Object> compose, String name) {
        return Nodes.map(service(compose, name).get("environment"));
    }
}
