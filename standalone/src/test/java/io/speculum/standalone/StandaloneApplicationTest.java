package io.speculum.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/** One JVM: a real KRaft broker and every service on it, reached over real HTTP. */
class StandaloneApplicationTest {

    @Test
    void startsTheBrokerAndEveryServiceOnItAndStopsThemAll() {
        ServiceLauncher launcher;
        try (ConfigurableApplicationContext standalone = StandaloneApplication.builder().run(
                "--speculum.standalone.service-properties.server.port=0",
                "--speculum.shared.dir=" + System.getProperty("speculum.shared.dir"))) {
            launcher = standalone.getBean(ServiceLauncher.class);
            Map<String, ConfigurableApplicationContext> services = launcher.services();
            assertThat(services).containsOnlyKeys(
                    "verifier-service", "drafter-service", "cascade-router", "detector-service", "gateway");

            for (Map.Entry<String, ConfigurableApplicationContext> service : services.entrySet()) {
                JsonNode health = get(service.getValue(), "/actuator/health");
                assertThat(health.path("status").asString()).as(service.getKey()).isEqualTo("UP");
                assertThat(health.at("/components/kafka/status").asString()).as(service.getKey()).isEqualTo("UP");
            }
            String targetFingerprint = get(services.get("verifier-service"), "/actuator/health")
                    .at("/components/models/details/target/vocabularyFingerprint").asString();
            String drafterFingerprint = get(services.get("drafter-service"), "/actuator/health")
                    .at("/components/models/details/drafter/vocabularyFingerprint").asString();
            assertThat(targetFingerprint).startsWith("sha256:").isEqualTo(drafterFingerprint);
            assertThat(get(services.get("gateway"), "/v1/models").at("/data/0/id").asString()).isEqualTo("stories260K");
        }
        assertThat(launcher.isRunning()).isFalse();
    }

    private static JsonNode get(ConfigurableApplicationContext service, String path) {
        String port = service.getEnvironment().getProperty("local.server.port");
        return RestClient.create("http://localhost:" + port).get().uri(path).retrieve().body(JsonNode.class);
    }
}
