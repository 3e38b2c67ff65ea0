package io.speculum.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.gateway.web.ApiKeys;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/**
 * The gateway against a real (in-process KRaft) broker with no verifier: it serves its model list over real HTTP,
 * its management port is apart, and it is live but not ready (no verifier answers).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "spring.config.name=" + GatewayApplication.CONFIG_NAME, "management.server.port=0",
    "speculum.gateway.models=big,small", "speculum.gateway.drafters=model", "speculum.gateway.cascade-models=cascade",
    "speculum.gateway.api-keys=" + GatewayApplicationTest.KEY_HASH})
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class GatewayApplicationTest {

    static final String KEY = "app-test-key";
    /** sha256 of KEY (printf %s app-test-key | sha256sum), checked below. */
    static final String KEY_HASH = "sha256:8c71d6c4556917bcafb18f792bca8d585b138a910e07f4cb2324b553033951db";

    @LocalServerPort
    int port;

    @Value("${local.management.port}")
    int managementPort;

    @Test
    void listsConfiguredModelsWithTheirRolesTheOpenAiWay() {
        JsonNode models = RestClient.create("http://localhost:" + port).get().uri("/v1/models")
                .header("Authorization", "Bearer " + KEY).retrieve().body(JsonNode.class);

        assertThat(models.path("object").asString()).isEqualTo("list");
        assertThat(models.path("data").valueStream().map(m -> m.path("id").asString())).containsExactly("big", "small", "cascade", "model");
        assertThat(models.path("data").valueStream().map(m -> m.at("/speculum/role").asString()))
                .containsExactly("verifier", "verifier", "cascade", "drafter");
        assertThat(models.at("/data/0/object").asString()).isEqualTo("model");
    }

    @Test
    void healthIsOnTheManagementPortLiveButNotReadyWithoutAVerifier() {
        RestClient management = RestClient.create("http://localhost:" + managementPort);
        JsonNode liveness = management.get().uri("/actuator/health/liveness").retrieve().body(JsonNode.class);
        assertThat(liveness.path("status").asString()).isEqualTo("UP");

        var readiness = management.get().uri("/actuator/health/readiness").retrieve()
                .onStatus(HttpStatusCode::isError, (request, response) -> { })
                .toEntity(JsonNode.class);
        assertThat(readiness.getStatusCode().value()).isEqualTo(503);
        assertThat(readiness.getBody().path("status").asString()).isEqualTo("DOWN");
        assertThat(readiness.getBody().at("/components/kafka/status").asString()).isEqualTo("UP");
        assertThat(readiness.getBody().at("/components/generationBackend/status").asString()).isEqualTo("DOWN");
        assertThat(readiness.getBody().at("/components/generationBackend/details/verifiers").asInt(-1)).isZero();

        var onApiPort = RestClient.create("http://localhost:" + port).get().uri("/actuator/health").retrieve()
                .onStatus(HttpStatusCode::isError, (request, response) -> { }).toBodilessEntity();
        assertThat(onApiPort.getStatusCode().value()).isEqualTo(404);
    }

    @Test
    void servesItsOpenApiDescriptionWithTheGenerationAndDetectionRoutes() {
        JsonNode api = RestClient.create("http://localhost:" + port).get().uri("/openapi").retrieve().body(JsonNode.class);

        assertThat(api.path("openapi").asString()).startsWith("3.");
        assertThat(api.path("paths").propertyNames()).contains("/v1/completions", "/v1/chat/completions", "/v1/models", "/v1/detect");
        assertThat(api.at("/components/securitySchemes/bearer/scheme").asString()).isEqualTo("bearer");
        assertThat(api.at("/components/schemas/CompletionRequest/properties/prompt").isMissingNode()).isFalse();
        assertThat(api.at("/components/schemas/DetectBody/properties/texts").isMissingNode()).isFalse();
        assertThat(api.at("/components/schemas/SpeculumOptions/properties/cascade").isMissingNode()).isFalse();
    }

    @Test
    void theTestKeyHashIsTheKeysSha256() {
        assertThat(ApiKeys.hash(KEY)).isEqualTo(KEY_HASH);
    }
}
