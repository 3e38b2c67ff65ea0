package io.speculum.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.speculum.gateway.backend.GenerationService;
import io.speculum.gateway.backend.ReplyRouter;
import io.speculum.gateway.cascade.CascadeService;
import io.speculum.gateway.detection.DetectionService;
import io.speculum.gateway.web.ApiKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every refusal of the API over real HTTP, with a real broker and no verifier behind it: OpenAI's error JSON with the
 * right status, {@code Retry-After} where waiting helps, and no request waiting past its time limit.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "spring.config.name=" + GatewayApplication.CONFIG_NAME, "management.server.port=0",
    "speculum.gateway.max-body-size=2KB",
    "resilience4j.ratelimiter.configs.per-api-key.limit-for-period=3",
    "resilience4j.ratelimiter.configs.per-api-key.limit-refresh-period=60s",
    "resilience4j.timelimiter.instances.completions.timeout-duration=1s",
    "resilience4j.timelimiter.instances.chat-completions.timeout-duration=1s",
    "resilience4j.circuitbreaker.instances.kafka-path.minimum-number-of-calls=3",
    "resilience4j.circuitbreaker.instances.kafka-path.sliding-window-size=3",
    "resilience4j.circuitbreaker.instances.kafka-path.wait-duration-in-open-state=30s",
    "resilience4j.bulkhead.instances.generations.max-concurrent-calls=1",
    "speculum.gateway.cascade-models=cascade",
    "resilience4j.timelimiter.instances.detect.timeout-duration=1s",
    "resilience4j.timelimiter.instances.cascade.timeout-duration=1s",
    "resilience4j.circuitbreaker.instances.detect-path.minimum-number-of-calls=3",
    "resilience4j.circuitbreaker.instances.detect-path.sliding-window-size=3",
    "resilience4j.circuitbreaker.instances.detect-path.wait-duration-in-open-state=30s"})
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class GatewayErrorsTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String COMPLETION = """
            {"model":"stories260K","prompt":"Once upon a time","max_tokens":4,"temperature":0}""";

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        registry.add("speculum.gateway.api-keys", () -> String.join(",",
                ApiKeys.hash("key-validation"), ApiKeys.hash("key-rate"), ApiKeys.hash("key-backend-1"),
                ApiKeys.hash("key-backend-2"), ApiKeys.hash("key-bulkhead-1"), ApiKeys.hash("key-bulkhead-2"),
                ApiKeys.hash("key-routes-1"), ApiKeys.hash("key-routes-2"), ApiKeys.hash("key-routes-3"),
                ApiKeys.hash("key-routes-4"), ApiKeys.hash("key-routes-5")));
    }

    @LocalServerPort
    int port;

    @Autowired
    ReplyRouter replies;

    @Autowired
    CircuitBreakerRegistry circuitBreakers;

    @Autowired
    BulkheadRegistry bulkheads;

    /** Each test starts with a closed circuit: the timeouts of one test do not open it for another. */
    @BeforeEach
    void closeTheCircuit() {
        circuitBreakers.circuitBreaker(GenerationService.CIRCUIT_BREAKER).reset();
        circuitBreakers.circuitBreaker(DetectionService.CIRCUIT_BREAKER).reset();
        circuitBreakers.circuitBreaker(CascadeService.CIRCUIT_BREAKER).reset();
    }

    @Test
    void refusesRequestsWithoutAKnownBearerKey() throws Exception {
        var missing = post("/v1/completions", null, COMPLETION);
        assertError(missing, 401, "authentication_error", null);
        assertThat(missing.json.at("/error/code").asString()).isEqualTo("invalid_api_key");

        assertError(post("/v1/chat/completions", "not-a-key", "{}"), 401, "authentication_error", null);
        var models = HTTP.send(HttpRequest.newBuilder(uri("/v1/models")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(401);
    }

    @Test
    void validatesBodiesWithOpenAiErrors() throws Exception {
        var broken = post("/v1/completions", "key-validation", "{\"model\": \"stories260K\", \"prompt\": ");
        assertError(broken, 400, "invalid_request_error", null);
        assertThat(broken.json.at("/error/code").asString()).isEqualTo("invalid_json");

        var noPrompt = post("/v1/completions", "key-validation", "{\"model\":\"stories260K\"}");
        assertError(noPrompt, 400, "invalid_request_error", "prompt");

        var unknown = post("/v1/chat/completions", "key-validation", """
                {"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""");
        assertError(unknown, 404, "invalid_request_error", "model");
        assertThat(unknown.json.at("/error/code").asString()).isEqualTo("model_not_found");
    }

    @Test
    void refusesAnOversizedBodyWith413BeforeReadingIt() throws Exception {
        String huge = "{\"model\":\"stories260K\",\"prompt\":\"" + "a".repeat(4096) + "\"}";
        assertError(post("/v1/completions", "key-validation", huge), 413, "invalid_request_error", null);
    }

    @Test
    void rateLimitsEachApiKeyWith429AndRetryAfter() throws Exception {
        String invalid = "{\"model\":\"stories260K\",\"prompt\":\"x\",\"temperature\":7}";
        for (int i = 0; i < 3; i++) {
            assertError(post("/v1/completions", "key-rate", invalid), 400, "invalid_request_error", "temperature");
        }
        var limited = post("/v1/completions", "key-rate", invalid);
        assertError(limited, 429, "rate_limit_error", null);
        assertThat(Long.parseLong(limited.response.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
        // another key is not affected
        assertError(post("/v1/completions", "key-validation", "{\"model\":\"stories260K\",\"prompt\":\"x\",\"suffix\":\"!\"}"),
                422, "invalid_request_error", "suffix");
    }

    @Test
    void withoutAVerifierAnswers503WithRetryAfterAtTheTimeLimitThenTheCircuitOpens() throws Exception {
        for (int i = 0; i < 3; i++) {
            String key = i < 2 ? "key-backend-1" : "key-backend-2";
            String body = i == 1 ? COMPLETION.replace("}", ",\"stream\":true}") : COMPLETION;
            long start = System.nanoTime();
            var timedOut = post("/v1/completions", key, body);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertError(timedOut, 503, "service_unavailable_error", null);
            assertThat(timedOut.json.at("/error/code").asString()).isEqualTo("timeout");
            assertThat(timedOut.response.headers().firstValue("Retry-After")).isPresent();
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(900)).isLessThan(Duration.ofSeconds(20));
        }
        assertThat(replies.pendingCount()).isZero();

        // three timeouts out of three calls: the circuit is open and answers at once, naming its wait
        long start = System.nanoTime();
        var refused = post("/v1/chat/completions", "key-backend-2", """
                {"model":"stories260K","messages":[{"role":"user","content":"hi"}],"max_tokens":4}""");
        assertError(refused, 503, "service_unavailable_error", null);
        assertThat(refused.json.at("/error/code").asString()).isEqualTo("backend_unavailable");
        assertThat(refused.response.headers().firstValue("Retry-After")).contains("30");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(900));
    }

    @Test
    void withoutADetectorOrCascadeRouterTheirRoutesAnswer503AtTheTimeLimitOnCircuitsOfTheirOwn() throws Exception {
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            var timedOut = post("/v1/detect", "key-routes-1", "{\"text\":\"Once upon a time\"}");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertError(timedOut, 503, "service_unavailable_error", null);
            assertThat(timedOut.json.at("/error/code").asString()).isEqualTo("timeout");
            assertThat(timedOut.response.headers().firstValue("Retry-After")).isPresent();
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(900)).isLessThan(Duration.ofSeconds(20));
        }
        assertThat(replies.pendingCount()).isZero();
        var refused = post("/v1/detect", "key-routes-2", "{\"texts\":[\"Once upon a time\"]}");
        assertError(refused, 503, "service_unavailable_error", null);
        assertThat(refused.json.at("/error/code").asString()).isEqualTo("backend_unavailable");
        assertThat(refused.response.headers().firstValue("Retry-After")).contains("30");
        // the detector's circuit is not the verifiers'
        assertThat(circuitBreakers.circuitBreaker(GenerationService.CIRCUIT_BREAKER).getState())
                .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED);

        var cascade = post("/v1/completions", "key-routes-2", COMPLETION.replace("stories260K", "cascade"));
        assertError(cascade, 503, "service_unavailable_error", null);
        assertThat(cascade.json.at("/error/code").asString()).isEqualTo("timeout");
        assertThat(replies.pendingCount()).isZero();
    }

    @Test
    void validatesCascadeRequests() throws Exception {
        var notACascade = post("/v1/completions", "key-routes-3", COMPLETION.replace("}", ",\"speculum\":{\"cascade\":{\"threshold\":1}}}"));
        assertError(notACascade, 400, "invalid_request_error", "speculum.cascade.threshold");
        var tokenIds = post("/v1/completions", "key-routes-3", """
                {"model":"cascade","prompt":[1,2,3],"max_tokens":4}""");
        assertError(tokenIds, 422, "invalid_request_error", "prompt");
        String cascade = COMPLETION.replace("stories260K", "cascade");
        var sideways = post("/v1/completions", "key-routes-4", cascade.replace("}", ",\"speculum\":{\"cascade\":{\"routing\":\"sideways\"}}}"));
        assertError(sideways, 400, "invalid_request_error", "speculum.cascade.routing");
        assertThat(sideways.json.at("/error/message").asString()).contains("defer or token");
        var tokenThresholdAlone = post("/v1/chat/completions", "key-routes-4", """
                {"model":"cascade","messages":[{"role":"user","content":"hi"}],"speculum":{"cascade":{"token_threshold":2}}}""");
        assertError(tokenThresholdAlone, 400, "invalid_request_error", "speculum.cascade.token_threshold");
        var routedVerifier = post("/v1/completions", "key-routes-4", COMPLETION.replace("}", ",\"speculum\":{\"cascade\":{\"routing\":\"token\"}}}"));
        assertError(routedVerifier, 400, "invalid_request_error", "speculum.cascade.routing");
        var bothThresholds = post("/v1/completions", "key-routes-5", cascade.replace("}",
                ",\"speculum\":{\"cascade\":{\"routing\":\"token\",\"threshold\":1}}}"));
        assertError(bothThresholds, 400, "invalid_request_error", "speculum.cascade.threshold");
        var neither = post("/v1/detect", "key-routes-3", "{\"methods\":[\"log-rank\"]}");
        assertError(neither, 400, "invalid_request_error", "text");
    }

    @Test
    void aFullBulkheadAnswers503WithRetryAfterAtOnce() throws Exception {
        // this context allows one generation at a time; without a verifier it holds its permit for the time limit
        CompletableFuture<Reply> holder = CompletableFuture.supplyAsync(() -> {
            try {
                return post("/v1/completions", "key-bulkhead-1", COMPLETION);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Bulkhead bulkhead = bulkheads.bulkhead(GenerationService.BULKHEAD);
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (bulkhead.getMetrics().getAvailableConcurrentCalls() > 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isZero();

        long start = System.nanoTime();
        var refused = post("/v1/chat/completions", "key-bulkhead-2", """
                {"model":"stories260K","messages":[{"role":"user","content":"hi"}],"max_tokens":4}""");
        assertError(refused, 503, "service_unavailable_error", null);
        assertThat(refused.json.at("/error/code").asString()).isEqualTo("overloaded");
        assertThat(refused.response.headers().firstValue("Retry-After")).isPresent();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(900));

        assertError(holder.get(30, TimeUnit.SECONDS), 503, "service_unavailable_error", null);
        assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
    }

    private record Reply(HttpResponse<String> response, JsonNode json) {
    }

    private Reply post(String path, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response, JSON.readTree(response.body()));
    }

    private static void assertError(Reply reply, int status, String type, String param) {
        assertThat(reply.response.statusCode()).as(reply.response.body()).isEqualTo(status);
        assertThat(reply.response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(reply.json.at("/error/type").asString()).isEqualTo(type);
        assertThat(reply.json.at("/error/message").asString()).isNotBlank();
        if (param != null) {
            assertThat(reply.json.at("/error/param").asString()).isEqualTo(param);
        }
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
