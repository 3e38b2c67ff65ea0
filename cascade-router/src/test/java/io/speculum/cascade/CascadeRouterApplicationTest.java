package io.speculum.cascade;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/** The cascade router starts against a real (in-process KRaft) broker and reports it healthy over HTTP. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=" + CascadeRouterApplication.CONFIG_NAME)
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class CascadeRouterApplicationTest {

    @LocalServerPort
    int port;

    @Test
    void startsAndReportsItsBrokerHealthy() {
        JsonNode health = RestClient.create("http://localhost:" + port).get().uri("/actuator/health")
                .retrieve().body(JsonNode.class);

        assertThat(health.path("status").asString()).isEqualTo("UP");
        assertThat(health.at("/components/kafka/details/brokers").asInt()).isEqualTo(1);
    }
}
