package io.speculum.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/** The gateway starts against a real (in-process KRaft) broker and serves its model list over real HTTP. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=" + GatewayApplication.CONFIG_NAME, "speculum.gateway.models=big,small"})
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class GatewayApplicationTest {

    @LocalServerPort
    int port;

    @Test
    void listsConfiguredModelsTheOpenAiWay() {
        JsonNode models = RestClient.create("http://localhost:" + port).get().uri("/v1/models")
                .retrieve().body(JsonNode.class);

        assertThat(models.path("object").asString()).isEqualTo("list");
        assertThat(models.path("data").valueStream().map(m -> m.path("id").asString())).containsExactly("big", "small");
        assertThat(models.at("/data/0/object").asString()).isEqualTo("model");
    }

    @Test
    void reportsItsBrokerHealthy() {
        JsonNode health = RestClient.create("http://localhost:" + port).get().uri("/actuator/health")
                .retrieve().body(JsonNode.class);

        assertThat(health.path("status").asString()).isEqualTo("UP");
        assertThat(health.at("/components/kafka/status").asString()).isEqualTo("UP");
        assertThat(health.at("/components/models").isMissingNode()).isTrue();
    }
}
