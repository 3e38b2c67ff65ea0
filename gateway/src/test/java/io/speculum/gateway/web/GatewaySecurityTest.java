package io.speculum.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.gateway.GatewayApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's attack surface over real HTTP, with a real broker and no verifier: every API route, enumerated from
 * the router and from the OpenAPI document, refuses a request without a valid key (401, OpenAI's error JSON); only
 * the OpenAPI document and the playground's page are open; the management port serves no configuration or
 * environment; neither keys nor prompt text reach the log.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "spring.config.name=" + GatewayApplication.CONFIG_NAME, "management.server.port=0",
    "speculum.gateway.api-keys=" + GatewaySecurityTest.KEY_HASH,
    "resilience4j.timelimiter.instances.completions.timeout-duration=1s",
    "resilience4j.timelimiter.instances.chat-completions.timeout-duration=1s",
    "resilience4j.timelimiter.instances.detect.timeout-duration=1s"})
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ExtendWith(OutputCaptureExtension.class)
class GatewaySecurityTest {

    static final String KEY = "security-test-key-5b1d";
    /** sha256 of KEY (printf %s security-test-key-5b1d | sha256sum). */
    static final String KEY_HASH = "sha256:05280eb14a7116e1e9912f14c584920de977adc3563f1e9708f52a7677748a34";

    /** Paths open without a key: the playground page and its assets, and the API description. */
    private static final Set<String> OPEN = Set.of("/", "/index.html", "/openapi", "/openapi.yaml");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Value("${local.management.port}")
    int managementPort;

    @Autowired
    RequestMappingHandlerMapping router;

    @Test
    void everyApiRouteNeedsAKey() throws Exception {
        Set<String> routes = new LinkedHashSet<>();
        router.getHandlerMethods().keySet().forEach(info -> info.getPatternsCondition().getPatterns().forEach(pattern -> {
            Set<org.springframework.web.bind.annotation.RequestMethod> methods = info.getMethodsCondition().getMethods();
            (methods.isEmpty() ? Set.of(org.springframework.web.bind.annotation.RequestMethod.GET) : methods)
                    .forEach(method -> routes.add(method + " " + pattern.getPatternString()));
        }));
        JsonNode openApi = JSON.readTree(send("GET", "/openapi", null).body());
        openApi.path("paths").properties().forEach(path -> path.getValue().propertyNames()
                .forEach(method -> routes.add(method.toUpperCase() + " " + path.getKey())));
        assertThat(routes).as("routes found").contains("POST /v1/completions", "POST /v1/chat/completions", "GET /v1/models",
                "POST /v1/detect");

        List<String> open = new ArrayList<>();
        for (String route : routes) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "x");
            if (OPEN.contains(path) || path.startsWith("/openapi")) {
                open.add(route);
                continue;
            }
            assertThat(path.startsWith("/v1/") || TokenizerController.ROUTES.contains(path))
                    .as("%s: an API route outside /v1 and the tokenizer routes would not be guarded by the key filter", route).isTrue();
            for (String authorization : new String[] {null, "Bearer wrong", "Basic " + KEY}) {
                HttpResponse<String> response = send(method, path, authorization);
                assertThat(response.statusCode()).as("%s with %s", route, authorization).isEqualTo(401);
                JsonNode error = JSON.readTree(response.body()).path("error");
                assertThat(error.path("message").asString()).isNotBlank();
                assertThat(error.path("code").asString()).isEqualTo("invalid_api_key");
            }
        }
        assertThat(open).allSatisfy(route -> assertThat(route).startsWith("GET "));
        assertThat(send("GET", "/openapi", null).statusCode()).isEqualTo(200);
    }

    @Test
    void theManagementPortServesNoConfigurationOrEnvironment() throws Exception {
        for (String endpoint : List.of("env", "configprops", "beans", "heapdump", "threaddump", "loggers", "mappings",
                "conditions", "scheduledtasks", "startup", "shutdown")) {
            assertThat(status(managementPort, "/actuator/" + endpoint)).as(endpoint).isEqualTo(404);
            assertThat(status(port, "/actuator/" + endpoint)).as("API port: " + endpoint).isIn(401, 404);
        }
        assertThat(status(managementPort, "/actuator/health")).isIn(200, 503);
        assertThat(status(managementPort, "/actuator/prometheus")).isEqualTo(200);
    }

    @Test
    void neitherKeysNorPromptTextReachTheLog(CapturedOutput output) throws Exception {
        String prompt = "The secret prompt 7f3e9 about a purple whale";
        String body = """
                {"model":"stories260K","prompt":"%s","max_tokens":4}""".formatted(prompt);
        send("POST", "/v1/completions", "Bearer " + KEY, body);
        send("POST", "/v1/chat/completions", "Bearer " + KEY, """
                {"model":"stories260K","messages":[{"role":"user","content":"%s"}],"max_tokens":4}""".formatted(prompt));
        send("POST", "/v1/detect", "Bearer " + KEY, """
                {"text":"%s"}""".formatted(prompt));
        send("POST", "/v1/completions", "Bearer not-a-key-91c4", body);
        send("POST", "/v1/completions", "Bearer " + KEY, "{\"prompt\":\"" + prompt + "\",\"max_tokens\":\"x\"}");
        assertThat(output.getAll()).as("the requests were made and logged something").isNotEmpty()
                .doesNotContain(KEY).doesNotContain("not-a-key-91c4").doesNotContain("7f3e9").doesNotContain("purple whale");
    }

    /** Refusals raised before any controller (route, method, media type) are OpenAI's error JSON too (found by the fuzzer). */
    @Test
    void refusalsBeforeAnyControllerAreOpenAiErrors() throws Exception {
        assertOpenAiError(send("POST", "/v1/nowhere", "Bearer " + KEY, "{}"), 404, "unknown_url");
        assertOpenAiError(send("GET", "/v1/completions", "Bearer " + KEY, null), 405, "method_not_allowed");
        HttpResponse<String> anyType = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "*/*")
                .POST(HttpRequest.BodyPublishers.ofString("{")).build(), HttpResponse.BodyHandlers.ofString());
        assertOpenAiError(anyType, 415, "unsupported_media_type");
        // a body cut short after its first character (found by the fuzzer: it hung)
        for (String path : List.of("/v1/completions", "/v1/chat/completions", "/v1/detect")) {
            for (String cut : List.of("{\"", "{", "[", "{\"model\":", "{\"prompt\":\"Once")) {
                assertOpenAiError(send("POST", path, "Bearer " + KEY, cut), 400, "invalid_json");
            }
        }
    }

    private static void assertOpenAiError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asString()).isEqualTo(code);
        assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asString()).isNotBlank();
    }

    private HttpResponse<String> send(String method, String path, String authorization) throws Exception {
        return send(method, path, authorization, method.equals("POST") ? "{}" : null);
    }

    private HttpResponse<String> send(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int status(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
