package io.speculum.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
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
                "--speculum.standalone.service-properties.management.server.port=0",
                "--speculum.standalone.services=verifier-service,drafter-service,cascade-router,detector-service,gateway",
                "--speculum.standalone.models.cache-dir=" + java.nio.file.Path.of("target", "speculum-cache").toAbsolutePath(),
                "--speculum.shared.dir=" + System.getProperty("speculum.shared.dir"))) {
            launcher = standalone.getBean(ServiceLauncher.class);
            Map<String, ConfigurableApplicationContext> services = launcher.services();
            assertThat(services).containsOnlyKeys(
                    "verifier-service", "drafter-service", "cascade-router", "detector-service", "gateway");

            for (Map.Entry<String, ConfigurableApplicationContext> service : services.entrySet()) {
                // the gateway is UP once the verifier's consumer group has members, which may take a moment
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        get(service.getValue(), "/actuator/health", "local.management.port").path("status").asString().equals("UP"));
                JsonNode health = get(service.getValue(), "/actuator/health", "local.management.port");
                assertThat(health.at("/components/kafka/status").asString()).as(service.getKey()).isEqualTo("UP");
            }
            String targetFingerprint = get(services.get("verifier-service"), "/actuator/health", "local.management.port")
                    .at("/components/models/details/target/vocabularyFingerprint").asString();
            String drafterFingerprint = get(services.get("drafter-service"), "/actuator/health", "local.management.port")
                    .at("/components/models/details/drafter/vocabularyFingerprint").asString();
            assertThat(targetFingerprint).startsWith("sha256:").isEqualTo(drafterFingerprint);
            assertThat(get(services.get("drafter-service"), "/actuator/health", "local.management.port")
                    .at("/components/models/details/drafter/path").asString()).endsWith("stories260K-q8_0.gguf");
        }
        assertThat(launcher.isRunning()).isFalse();
    }

    /** From the management port where the service has its own, else the server port. */
    private static JsonNode get(ConfigurableApplicationContext service, String path, String portProperty) {
        String port = service.getEnvironment().getProperty(portProperty, service.getEnvironment().getProperty("local.server.port"));
        return RestClient.create("http://localhost:" + port).get().uri(path).retrieve().body(JsonNode.class);
    }
}
