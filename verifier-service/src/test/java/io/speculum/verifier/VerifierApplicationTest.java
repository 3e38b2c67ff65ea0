package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.llama.Model;
import io.speculum.llama.ModelOptions;
import io.speculum.protocol.Topics;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/** The verifier-service starts against a real (in-process KRaft) broker with its real model, and says so over HTTP. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {"spring.config.name=" + VerifierApplication.CONFIG_NAME,
        "speculum.verifier.cost.single-token-millis=20", "speculum.verifier.cost.relative[4]=2.4", "speculum.verifier.cost.relative[8]=3.4"})
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class VerifierApplicationTest {

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKafkaBroker broker;

    @Autowired
    SpeculativeVerifier verifier;

    @Test
    void aConfiguredCostCurveIsUsedAsGiven() {
        assertThat(verifier.costCurve()).isEqualTo(CostCurve.of(20, Map.of(4, 2.4, 8, 3.4)));
    }

    @Test
    void startsWithItsModelAndBrokerAndReportsThemHealthy() throws Exception {
        JsonNode health = RestClient.create("http://localhost:" + port).get().uri("/actuator/health")
                .retrieve().body(JsonNode.class);

        assertThat(health.path("status").asString()).isEqualTo("UP");
        assertThat(health.at("/components/kafka/status").asString()).isEqualTo("UP");
        JsonNode model = health.at("/components/models/details/target");
        assertThat(model.path("architecture").asString()).isEqualTo("llama");
        Path path = Path.of(System.getProperty("speculum.shared.dir"), "models", "stories260K.gguf");
        try (Model vocabulary = Model.load(ModelOptions.vocabularyOnly(path))) {
            assertThat(model.path("vocabularyFingerprint").asString())
                    .isEqualTo(vocabulary.vocabulary().fingerprint().value());
            assertThat(model.path("vocabularySize").asInt()).isEqualTo(vocabulary.metadata().vocabularySize());
        }
        try (AdminClient admin = AdminClient.create(
                Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
            assertThat(admin.listTopics().names().get()).contains(Topics.GENERATE, Topics.DRAFT, Topics.VERIFY, Topics.DEAD_LETTER);
        }
    }
}
