package io.speculum.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.utils.ContainerTestUtils;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAI features people expect, through the official OpenAI Java SDK against the standalone suite: log-probabilities
 * (chats and legacy completions with echo, streamed and not), n = 2, logit bias and penalties, and 422 for what is not
 * offered.
 */
class OpenAiSurfaceEndToEndTest {

    private static final String KEY = "surface-key";
    private static ConfigurableApplicationContext standalone;
    private static String api;
    private static OpenAIClient client;

    @BeforeAll
    static void startSuite() {
        standalone = StandaloneApplication.builder().run(
                "--speculum.standalone.service-properties.server.port=0",
                "--speculum.standalone.service-properties.management.server.port=0",
                "--speculum.standalone.api-key=" + KEY,
                "--speculum.standalone.models.cache-dir=" + Path.of("target", "speculum-cache").toAbsolutePath(),
                "--speculum.shared.dir=" + System.getProperty("speculum.shared.dir"));
        ServiceLauncher launcher = standalone.getBean(ServiceLauncher.class);
        ConfigurableApplicationContext gateway = launcher.services().get("gateway");
        api = "http://localhost:" + gateway.getEnvironment().getProperty("local.server.port");
        for (String service : List.of("verifier-service", "drafter-service")) {
            for (MessageListenerContainer container : launcher.services().get(service)
                    .getBean(KafkaListenerEndpointRegistry.class).getListenerContainers()) {
                ContainerTestUtils.waitForAssignment(container, 3);
            }
        }
        client = OpenAIOkHttpClient.builder().baseUrl(api + "/v1").apiKey(KEY).timeout(Duration.ofSeconds(60)).maxRetries(0).build();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> client.models().list().data().size() > 0);
    }

    @AfterAll
    static void stopSuite() {
        if (client != null) {
            client.close();
        }
        if (standalone != null) {
            standalone.close();
        }
    }

    private static JsonValue speculation(String mode) {
        return JsonValue.from(Map.of("speculation", mode.equals("off") ? Map.of("mode", "off")
                : Map.of("mode", "fixed", "drafter", "model", "k", 4)));
    }

    @Test
    void chatLogprobsAreTheTargetsOwnStreamedOrNotWithOrWithoutDrafts() {
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder().model("stories260K")
                .addUserMessage("Tell me a story about a dog").maxCompletionTokens(24).temperature(0.0).logprobs(true).topLogprobs(3);
        ChatCompletion speculative = client.chat().completions().create(params.putAdditionalBodyProperty("speculum", speculation("fixed")).build());
        List<ChatCompletionTokenLogprob> tokens = speculative.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        assertThat((long) tokens.size()).isEqualTo(speculative.usage().orElseThrow().completionTokens());
        StringBuilder text = new StringBuilder();
        for (ChatCompletionTokenLogprob token : tokens) {
            assertThat(token.logprob()).isLessThanOrEqualTo(0.0);
            assertThat(token.topLogprobs()).hasSize(3);
            assertThat(token.topLogprobs().getFirst().token()).as("greedy: the most likely token").isEqualTo(token.token());
            assertThat(token.topLogprobs().get(1).logprob()).isLessThanOrEqualTo(token.topLogprobs().getFirst().logprob());
            assertThat(token.bytes().orElseThrow()).hasSize(token.token().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            text.append(token.token());
        }
        assertThat(speculative.choices().getFirst().message().content().orElseThrow()).isEqualTo(text.toString().strip());

        ChatCompletion alone = client.chat().completions().create(params.putAdditionalBodyProperty("speculum", speculation("off")).build());
        assertSameLogprobs(alone.choices().getFirst().logprobs().orElseThrow().content().orElseThrow(), tokens);

        List<ChatCompletionTokenLogprob> streamed = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
                .createStreaming(params.putAdditionalBodyProperty("speculum", speculation("fixed")).build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice ->
                    choice.logprobs().flatMap(ChatCompletionChunk.Choice.Logprobs::content).ifPresent(streamed::addAll)));
        }
        assertSameLogprobs(streamed, tokens);
    }

    @Test
    void completionLogprobsWithEchoScoreThePromptToo() {
        CompletionCreateParams params = CompletionCreateParams.builder().model("stories260K").prompt("Once upon a time")
                .maxTokens(8).temperature(0.0).logprobs(2).echo(true).build();
        Completion completion = client.completions().create(params);
        CompletionChoice choice = completion.choices().getFirst();
        assertThat(choice.text()).startsWith("Once upon a time").hasSizeGreaterThan("Once upon a time".length());
        CompletionChoice.Logprobs logprobs = choice.logprobs().orElseThrow();
        List<String> tokens = logprobs.tokens().orElseThrow();
        var usage = completion.usage().orElseThrow();
        assertThat((long) tokens.size()).as("prompt and completion tokens").isEqualTo(usage.promptTokens() + usage.completionTokens());
        List<Double> values = logprobs.tokenLogprobs().orElseThrow();
        assertThat(values.getFirst()).as("nothing precedes the first prompt token").isNull();
        assertThat(values.subList(1, values.size())).allSatisfy(v -> assertThat(v).isLessThanOrEqualTo(0.0));
        assertThat(logprobs.topLogprobs().orElseThrow().get(1)._additionalProperties()).hasSizeBetween(2, 3);
        assertThat(logprobs.textOffset().orElseThrow()).isSorted();

        StringBuilder streamed = new StringBuilder();
        List<Double> streamedValues = new ArrayList<>();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(c -> {
                streamed.append(c.text());
                c.logprobs().flatMap(CompletionChoice.Logprobs::tokenLogprobs).ifPresent(streamedValues::addAll);
            }));
        }
        assertThat(streamed.toString()).isEqualTo(choice.text());
        assertThat(streamedValues).hasSameSizeAs(values);
    }

    @Test
    void twoChoicesAreIndependentSeededSamplesAndTheUsageSumsThem() {
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder().model("stories260K")
                .addUserMessage("Tell me a story").maxCompletionTokens(16).temperature(1.0).seed(7).logprobs(true)
                // a seed fixes a sample only without drafts: speculative samples depend on what was drafted (their
                // distribution does not)
                .putAdditionalBodyProperty("speculum", speculation("off"));
        ChatCompletion two = client.chat().completions().create(params.n(2).build());
        assertThat(two.choices()).extracting(ChatCompletion.Choice::index).containsExactly(0L, 1L);
        long tokens = two.choices().stream().mapToLong(c -> c.logprobs().orElseThrow().content().orElseThrow().size()).sum();
        assertThat(two.usage().orElseThrow().completionTokens()).isEqualTo(tokens);
        List<String> texts = two.choices().stream().map(c -> c.message().content().orElseThrow()).toList();
        assertThat(texts.get(0)).as("different seeds").isNotEqualTo(texts.get(1));
        ChatCompletion one = client.chat().completions().create(params.n(1).build());
        assertThat(one.choices().getFirst().message().content().orElseThrow()).as("choice 0 keeps the request's seed").isEqualTo(texts.get(0));

        Map<Long, StringBuilder> streamed = new TreeMap<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params.n(2).build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice ->
                    streamed.computeIfAbsent(choice.index(), i -> new StringBuilder()).append(choice.delta().content().orElse(""))));
        }
        assertThat(streamed.keySet()).containsExactly(0L, 1L);
        assertThat(streamed.get(0L).toString()).isEqualTo(texts.get(0));
        assertThat(streamed.get(1L).toString()).isEqualTo(texts.get(1));
    }

    @Test
    void logitBiasAndPenaltiesShapeTheTargetsOutputAndSpeculationKeepsItExact() {
        CompletionCreateParams.Builder biased = CompletionCreateParams.builder().model("stories260K").prompt("Once upon a time")
                .maxTokens(6).temperature(0.0).logprobs(0)
                .logitBias(CompletionCreateParams.LogitBias.builder().putAdditionalProperty("5", JsonValue.from(100)).build());
        List<String> tokens = client.completions().create(biased.build()).choices().getFirst().logprobs().orElseThrow().tokens().orElseThrow();
        assertThat(tokens).hasSize(6).containsOnly(tokens.getFirst());

        CompletionCreateParams.Builder penalised = CompletionCreateParams.builder().model("stories260K")
                .prompt("Once upon a time, there was a little dog named Max.").maxTokens(48).temperature(0.0)
                .frequencyPenalty(1.0).presencePenalty(0.5).putAdditionalBodyProperty("repetition_penalty", JsonValue.from(1.3));
        String speculative = client.completions().create(penalised.putAdditionalBodyProperty("speculum", speculation("fixed")).build())
                .choices().getFirst().text();
        String alone = client.completions().create(penalised.putAdditionalBodyProperty("speculum", speculation("off")).build())
                .choices().getFirst().text();
        assertThat(speculative).as("greedy and penalised: speculation changes nothing").isEqualTo(alone);
        String plain = client.completions().create(CompletionCreateParams.builder().model("stories260K")
                .prompt("Once upon a time, there was a little dog named Max.").maxTokens(48).temperature(0.0).build()).choices().getFirst().text();
        assertThat(speculative).as("the penalties change the answer").isNotEqualTo(plain);
    }

    @Test
    void openAiFeaturesNotOfferedAre422AndBadValues400() throws Exception {
        Sse.Reply tools = Sse.post(api + "/v1/chat/completions", KEY, """
                {"model":"stories260K","messages":[{"role":"user","content":"hi"}],
                 "tools":[{"type":"function","function":{"name":"f"}}],"response_format":{"type":"json_object"}}""");
        assertThat(tools.status()).isEqualTo(422);
        assertThat(tools.json().at("/error/param").asString()).isEqualTo("tools");
        assertThat(tools.json().at("/error/message").asString()).contains("tools", "response_format");
        Sse.Reply top = Sse.post(api + "/v1/chat/completions", KEY, """
                {"model":"stories260K","messages":[{"role":"user","content":"hi"}],"top_logprobs":2}""");
        assertThat(top.status()).isEqualTo(400);
        assertThat(top.json().at("/error/param").asString()).isEqualTo("top_logprobs");
        Sse.Reply many = Sse.post(api + "/v1/completions", KEY, """
                {"model":"stories260K","prompt":"hi","logprobs":6}""");
        assertThat(many.status()).isEqualTo(400);
        Sse.Reply bestOf = Sse.post(api + "/v1/completions", KEY, """
                {"model":"stories260K","prompt":"hi","n":1,"best_of":3}""");
        assertThat(bestOf.status()).isEqualTo(422);
        assertThat(bestOf.json().at("/error/param").asString()).isEqualTo("best_of");
        Sse.Reply bias = Sse.post(api + "/v1/completions", KEY, """
                {"model":"stories260K","prompt":"hi","logit_bias":{"99999":5}}""");
        assertThat(bias.status()).as(bias.response().body()).isEqualTo(400);
    }

    @Test
    void tokenizeGivesTheVerifiersIdsAndItsPromptTokenCount() throws Exception {
        String prompt = "Once upon a time, there was a little dog named Max.";
        Sse.Reply tokenized = Sse.post(api + "/tokenize", KEY, """
                {"model":"stories260K","prompt":"%s","return_token_strs":true}""".formatted(prompt));
        assertThat(tokenized.status()).as(tokenized.response().body()).isEqualTo(200);
        List<Integer> ids = tokenized.json().path("tokens").valueStream().map(JsonNode::asInt).toList();
        io.speculum.llama.Model verifierModel = standalone.getBean(ServiceLauncher.class).services().get("verifier-service")
                .getBean(io.speculum.service.ServedModel.class).model();
        assertThat(ids).containsExactlyElementsOf(java.util.Arrays.stream(verifierModel.vocabulary().tokenize(prompt, true, false))
                .boxed().toList());
        assertThat(tokenized.json().path("count").asInt()).isEqualTo(ids.size());
        assertThat(tokenized.json().path("token_strs")).hasSize(ids.size());
        Completion completion = client.completions().create(CompletionCreateParams.builder().model("stories260K").prompt(prompt)
                .maxTokens(1).temperature(0.0).build());
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(ids.size());

        Sse.Reply text = Sse.post(api + "/detokenize", KEY, """
                {"model":"stories260K","tokens":%s}""".formatted(ids));
        assertThat(text.status()).isEqualTo(200);
        assertThat(text.json().path("prompt").asString()).isEqualTo(prompt);
        Sse.Reply chat = Sse.post(api + "/tokenize", KEY, """
                {"model":"stories260K","messages":[{"role":"user","content":"hi"}]}""");
        assertThat(chat.json().path("count").asInt()).isGreaterThan(3);

        assertThat(Sse.post(api + "/tokenize", "wrong-key", "{\"prompt\":\"hi\"}").status()).isEqualTo(401);
        assertThat(Sse.post(api + "/detokenize", KEY, "{\"tokens\":[-1]}").status()).isEqualTo(400);
        assertThat(Sse.post(api + "/tokenize", KEY, "{\"model\":\"nope\",\"prompt\":\"hi\"}").status()).isEqualTo(404);
    }

    @Test
    void everyExampleOfTheGatewayDocsRuns() throws Exception {
        // the examples marked <!-- run: METHOD PATH --> in docs/gateway.md, each followed by its JSON body
        String docs = java.nio.file.Files.readString(Path.of("..", "docs", "gateway.md"));
        java.util.regex.Matcher example = java.util.regex.Pattern.compile("<!-- run: POST (\\S+) -->\\s*```json\\n(.*?)```",
                java.util.regex.Pattern.DOTALL).matcher(docs);
        int run = 0;
        while (example.find()) {
            Sse.Reply reply = Sse.post(api + example.group(1), KEY, example.group(2));
            assertThat(reply.status()).as(example.group(1) + " " + example.group(2) + ": " + reply.response().body()).isEqualTo(200);
            run++;
        }
        assertThat(run).as("examples found").isGreaterThanOrEqualTo(7);
    }

    private static void assertSameLogprobs(List<ChatCompletionTokenLogprob> actual, List<ChatCompletionTokenLogprob> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).token()).isEqualTo(expected.get(i).token());
            assertThat(actual.get(i).logprob()).isCloseTo(expected.get(i).logprob(),
                    // speculative and target-only decodes differ by llama.cpp's arithmetic only (docs/gateway.md)
                    within(2e-3 + 1e-3 * Math.abs(expected.get(i).logprob())));
            for (int j = 0; j < expected.get(i).topLogprobs().size(); j++) {
                assertThat(actual.get(i).topLogprobs().get(j).token()).isEqualTo(expected.get(i).topLogprobs().get(j).token());
            }
        }
    }
}
