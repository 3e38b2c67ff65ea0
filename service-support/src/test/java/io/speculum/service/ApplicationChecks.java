package io.speculum.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.llama.Model;
import io.speculum.llama.ModelOptions;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/**
 * What the services' application tests check alike, over real HTTP and a real broker: the service is UP with its
 * broker, its model reports the metadata and vocabulary of the file it serves, and the protocol topics exist. Shared
 * through service-support's test-jar, since the health indicators and topics checked are service-support's.
 */
public final class ApplicationChecks {

    private ApplicationChecks() {
    }

    /** A model file under the shared test directory ({@code speculum.shared.dir}). */
    public static Path sharedModel(String file) {
        return Path.of(System.getProperty("speculum.shared.dir"), "models", file);
    }

    /**
     * {@code GET /actuator/health} on {@code port} says UP, its broker UP, and its model {@code role} is the llama
     * model of {@code modelFile}: the same vocabulary fingerprint and size.
     */
    public static void assertHealthyWithModel(int port, String role, Path modelFile) {
        JsonNode health = RestClient.create("http://localhost:" + port).get().uri("/actuator/health")
                .retrieve().body(JsonNode.class);

        assertThat(health.path("status").asString()).isEqualTo("UP");
        assertThat(health.at("/components/kafka/status").asString()).isEqualTo("UP");
        JsonNode model = health.at("/components/models/details/" + role);
        assertThat(model.path("architecture").asString()).isEqualTo("llama");
        try (Model vocabulary = Model.load(ModelOptions.vocabularyOnly(modelFile))) {
            assertThat(model.path("vocabularyFingerprint").asString())
                    .isEqualTo(vocabulary.vocabulary().fingerprint().value());
            assertThat(model.path("vocabularySize").asInt()).isEqualTo(vocabulary.metadata().vocabularySize());
        }
    }

    /** The broker holds {@code topics} (a service creates the protocol's missing topics at start). */
    public static void assertTopicsExist(EmbeddedKafkaBroker broker, String... topics) throws Exception {
        try (AdminClient admin = AdminClient.create(
                Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
            assertThat(admin.listTopics().names().get()).contains(topics);
        }
    }
}
