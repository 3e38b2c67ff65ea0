package io.speculum.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.speculum.gateway.GatewayProperties;
import io.speculum.gateway.TemplateModel;
import io.speculum.math.Penalties;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.CascadeRouting;
import io.speculum.protocol.SpeculationPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/**
 * OpenAI bodies, as JSON, into {@link GenerationSpec}s: every field the gateway takes, its default, and the 4xx (naming
 * the parameter) for each bad value. Chats are rendered by llama.cpp's built-in chatml template (the real native
 * library); no Spring context, no broker.
 */
class RequestTranslatorTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final GatewayProperties PROPERTIES = new GatewayProperties(List.of("stories260K", "other"),
            List.of("model", "ngram"), List.of("cascade"), null, "llm.replies.", "speculum-verifier", "chatml", null, 40,
            DataSize.ofMegabytes(1), List.of(), false, Duration.ofSeconds(30), Duration.ofSeconds(3));
    private static final TemplateModel NO_TEMPLATE_MODEL = new TemplateModel(PROPERTIES);
    private static final RequestTranslator TRANSLATOR = new RequestTranslator(PROPERTIES,
            new ChatRenderer(PROPERTIES, NO_TEMPLATE_MODEL));

    @AfterAll
    static void close() {
        NO_TEMPLATE_MODEL.destroy();
    }

    private static GenerationSpec completion(String json) {
        return TRANSLATOR.completion(JSON.readValue(json, CompletionRequest.class));
    }

    private static GenerationSpec chat(String json) {
        return TRANSLATOR.chat(JSON.readValue(json, ChatCompletionRequest.class));
    }

    /** The refusal of a completion body: its status, parameter and code. */
    private static ApiException completionRefused(String json) {
        return catchThrowableOfType(ApiException.class, () -> completion(json));
    }

    private static ApiException chatRefused(String json) {
        return catchThrowableOfType(ApiException.class, () -> chat(json));
    }

    private static void assertRefused(ApiException refusal, int status, String param, String code) {
        assertThat(refusal).as("refused").isNotNull();
        assertThat(refusal.status().value()).as(refusal.getMessage()).isEqualTo(status);
        assertThat(refusal.body().error().param()).as(refusal.getMessage()).isEqualTo(param);
        assertThat(refusal.body().error().code()).as(refusal.getMessage()).isEqualTo(code);
        assertThat(refusal.body().error().message()).isNotBlank();
    }

    // ---- completions: what each field becomes

    @Test
    void aMinimalCompletionTakesOpenAisDefaults() {
        GenerationSpec spec = completion("""
                {"model":"stories260K","prompt":"Once upon a time","seed":5}""");

        assertThat(spec.kind()).isEqualTo(RequestKind.COMPLETION);
        assertThat(spec.model()).isEqualTo("stories260K");
        assertThat(spec.prompt()).isEqualTo("Once upon a time");
        assertThat(spec.promptTokens()).isNull();
        assertThat(spec.maxTokens()).as("OpenAI's default for legacy completions").isEqualTo(16);
        assertThat(spec.sampling()).isEqualTo(new SamplingParams(1.0, 0, 1.0, 0, 5));
        assertThat(spec.stop()).isEmpty();
        assertThat(spec.speculation()).isEqualTo(SpeculationPolicy.defaults());
        assertThat(spec.stream()).isFalse();
        assertThat(spec.includeUsage()).isFalse();
        assertThat(spec.stats()).isFalse();
        assertThat(spec.cascade()).isEqualTo(GenerationSpec.Cascade.NONE);
        assertThat(spec.logprobs()).isNull();
        assertThat(spec.echo()).isFalse();
        assertThat(spec.penalties()).isEqualTo(Penalties.NONE);
        assertThat(spec.n()).isEqualTo(1);
    }

    @Test
    void everyCompletionFieldReachesTheSpec() {
        GenerationSpec spec = completion("""
                {"model":"other","prompt":["Once"],"max_tokens":7,"temperature":0.7,"top_p":0.9,"seed":42,"top_k":12,
                 "min_p":0.05,"stop":["\\n","The end"],"n":3,"best_of":3,"stream":true,"stream_options":{"include_usage":true},
                 "logprobs":2,"echo":true,"logit_bias":{"13":-100,"7":2.5},"frequency_penalty":0.5,"presence_penalty":-1,
                 "repetition_penalty":1.2,"user":"someone",
                 "speculum":{"speculation":{"mode":"fixed","drafter":"ngram","k":5,"threshold":0.25,"pipelined":false},"stats":true}}""");

        assertThat(spec.model()).isEqualTo("other");
        assertThat(spec.prompt()).as("an array of one string").isEqualTo("Once");
        assertThat(spec.maxTokens()).isEqualTo(7);
        assertThat(spec.sampling()).isEqualTo(new SamplingParams(0.7, 12, 0.9, 0.05, 42));
        assertThat(spec.stop()).containsExactly("\n", "The end");
        assertThat(spec.n()).isEqualTo(3);
        assertThat(spec.stream()).isTrue();
        assertThat(spec.includeUsage()).isTrue();
        assertThat(spec.logprobs()).isEqualTo(2);
        assertThat(spec.echo()).isTrue();
        assertThat(spec.penalties()).isEqualTo(new Penalties(Map.of(13, -100.0, 7, 2.5), 0.5, -1, 1.2));
        assertThat(spec.speculation()).isEqualTo(
                new SpeculationPolicy(SpeculationPolicy.Mode.FIXED, "ngram", 5, 0.25).withPipelining(false));
        assertThat(spec.stats()).isTrue();
    }

    @Test
    void aTokenIdPromptIsPassedAsTokens() {
        GenerationSpec spec = completion("""
                {"model":"stories260K","prompt":[1, 403, 9],"stop":"!"}""");

        assertThat(spec.prompt()).isNull();
        assertThat(spec.promptTokens()).containsExactly(1, 403, 9);
        assertThat(spec.stop()).as("a single stop string").containsExactly("!");
    }

    @Test
    void greedyDecodingHasNoSeedAndVllmsOffValuesTurnTopKOff() {
        GenerationSpec spec = completion("""
                {"model":"stories260K","prompt":"x","temperature":0,"seed":99,"top_k":-1,"min_p":0}""");

        assertThat(spec.sampling()).isEqualTo(new SamplingParams(0, 0, 1.0, 0, 0));
        assertThat(spec.sampling().deterministic()).isTrue();
    }

    @Test
    void speculationOffAndTheCascadeOptionsOfACascadeModel() {
        assertThat(completion("""
                {"model":"stories260K","prompt":"x","speculum":{"speculation":{"mode":"OFF","k":99}}}""").speculation())
                .as("k is not checked when nothing is drafted").isEqualTo(SpeculationPolicy.off());

        GenerationSpec defer = completion("""
                {"model":"cascade","prompt":"x","speculum":{"cascade":{"threshold":2.5}}}""");
        assertThat(defer.cascade()).isEqualTo(new GenerationSpec.Cascade(2.5, null, null));

        GenerationSpec token = completion("""
                {"model":"cascade","prompt":"x","speculum":{"cascade":{"routing":"token","token_threshold":3}}}""");
        assertThat(token.cascade()).isEqualTo(new GenerationSpec.Cascade(null, CascadeRouting.TOKEN, 3.0));
    }

    // ---- completions: the refusals

    @Test
    void aMissingBodyModelOrPromptIs400AndAnUnknownModel404() {
        assertRefused(catchThrowableOfType(ApiException.class, () -> TRANSLATOR.completion(null)), 400, null, "invalid_value");
        assertRefused(completionRefused("{\"prompt\":\"x\"}"), 400, "model", "invalid_value");
        assertRefused(completionRefused("{\"model\":\" \",\"prompt\":\"x\"}"), 400, "model", "invalid_value");
        assertRefused(completionRefused("{\"model\":\"gpt-4o\",\"prompt\":\"x\"}"), 404, "model", "model_not_found");
        assertRefused(completionRefused("{\"model\":\"stories260K\"}"), 400, "prompt", "invalid_value");
        assertRefused(completionRefused("{\"model\":\"stories260K\",\"prompt\":\"\"}"), 400, "prompt", "invalid_value");
    }

    @ParameterizedTest(name = "prompt {0}: {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "[\"a\",\"b\"]    | 422 | unsupported_value",
        "[[1,2],[3]]      | 422 | unsupported_value",
        "[1,\"two\"]      | 400 | invalid_value",
        "[1,2,3000000000] | 400 | invalid_value",
        "[]               | 400 | invalid_value",
        "{\"text\":\"x\"} | 400 | invalid_value",
        "7                | 400 | invalid_value"})
    void promptsOtherThanOneTextOrOneTokenListAreRefused(String prompt, int status, String code) {
        assertRefused(completionRefused("{\"model\":\"stories260K\",\"prompt\":" + prompt + "}"), status, "prompt", code);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\"max_tokens\":0                 | max_tokens",
        "\"temperature\":2.5              | temperature",
        "\"temperature\":-0.1             | temperature",
        "\"top_p\":0                      | top_p",
        "\"top_p\":1.5                    | top_p",
        "\"top_k\":-2                     | top_k",
        "\"min_p\":1                      | min_p",
        "\"min_p\":-0.5                   | min_p",
        "\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"] | stop",
        "\"stop\":[\"\"]                  | stop",
        "\"stop\":[1]                     | stop",
        "\"stop\":{\"s\":1}               | stop",
        "\"n\":0                          | n",
        "\"n\":17                         | n",
        "\"n\":3,\"best_of\":2            | best_of",
        "\"logprobs\":6                   | logprobs",
        "\"logprobs\":-1                  | logprobs",
        "\"logit_bias\":{\"a\":1}         | logit_bias",
        "\"logit_bias\":{\"-1\":1}        | logit_bias",
        "\"logit_bias\":{\"5\":101}       | logit_bias",
        "\"frequency_penalty\":2.5        | frequency_penalty",
        "\"presence_penalty\":-3          | presence_penalty",
        "\"repetition_penalty\":0         | repetition_penalty",
        "\"repetition_penalty\":11        | repetition_penalty",
        "\"speculum\":{\"speculation\":{\"mode\":\"sometimes\"}}  | speculum.speculation.mode",
        "\"speculum\":{\"speculation\":{\"drafter\":\"oracle\"}}  | speculum.speculation.drafter",
        "\"speculum\":{\"speculation\":{\"k\":0}}                 | speculum.speculation.k",
        "\"speculum\":{\"speculation\":{\"k\":33}}                | speculum.speculation.k",
        "\"speculum\":{\"speculation\":{\"threshold\":1}}         | speculum.speculation.threshold",
        "\"speculum\":{\"cascade\":{\"threshold\":1}}             | speculum.cascade.threshold",
        "\"speculum\":{\"cascade\":{\"routing\":\"token\"}}       | speculum.cascade.routing"})
    void outOfRangeValuesAre400NamingTheParameter(String field, String param) {
        assertRefused(completionRefused("{\"model\":\"stories260K\",\"prompt\":\"x\"," + field + "}"), 400, param, "invalid_value");
    }

    @Test
    void openAiFeaturesThisServerDoesNotOfferAre422() {
        assertRefused(completionRefused("{\"model\":\"stories260K\",\"prompt\":\"x\",\"suffix\":\"!\"}"), 422, "suffix",
                "unsupported_value");
        assertRefused(completionRefused("{\"model\":\"stories260K\",\"prompt\":\"x\",\"n\":2,\"best_of\":4}"), 422, "best_of",
                "unsupported_value");
        assertThat(completion("{\"model\":\"stories260K\",\"prompt\":\"x\",\"suffix\":null,\"best_of\":1}").n())
                .as("null suffix and best_of equal to n are fine").isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\"prompt\":[1,2,3]                                   | 422 | prompt",
        "\"prompt\":\"x\",\"logprobs\":1                      | 422 | logprobs",
        "\"prompt\":\"x\",\"echo\":true                       | 422 | logprobs",
        "\"prompt\":\"x\",\"n\":2                             | 422 | n",
        "\"prompt\":\"x\",\"presence_penalty\":1              | 422 | logit_bias",
        "\"prompt\":\"x\",\"speculum\":{\"cascade\":{\"routing\":\"sideways\"}}               | 400 | speculum.cascade.routing",
        "\"prompt\":\"x\",\"speculum\":{\"cascade\":{\"token_threshold\":2}}                  | 400 | speculum.cascade.token_threshold",
        "\"prompt\":\"x\",\"speculum\":{\"cascade\":{\"routing\":\"token\",\"threshold\":1}} | 400 | speculum.cascade.threshold"})
    void aCascadeModelRefusesWhatTheCascadeRouterCannotDo(String fields, int status, String param) {
        ApiException refusal = completionRefused("{\"model\":\"cascade\"," + fields + "}");
        assertRefused(refusal, status, param, status == 422 ? "unsupported_value" : "invalid_value");
    }

    // ---- chats

    @Test
    void aChatIsRenderedWithTheChatTemplateAndTakesTheConfiguredDefaultLength() {
        GenerationSpec spec = chat("""
                {"model":"stories260K","messages":[{"role":"developer","content":"Be brief."},
                 {"role":"user","content":[{"type":"text","text":"Hello"},{"type":"text","text":" there"}]},
                 {"role":"assistant","content":"Hi."},{"role":"user","content":"Tell a story"}]}""");

        assertThat(spec.kind()).isEqualTo(RequestKind.CHAT);
        assertThat(spec.prompt()).isEqualTo("""
                <|im_start|>system
                Be brief.<|im_end|>
                <|im_start|>user
                Hello there<|im_end|>
                <|im_start|>assistant
                Hi.<|im_end|>
                <|im_start|>user
                Tell a story<|im_end|>
                <|im_start|>assistant
                """);
        assertThat(spec.promptTokens()).isNull();
        assertThat(spec.maxTokens()).as("speculum.gateway.default-max-tokens").isEqualTo(40);
        assertThat(spec.logprobs()).isNull();
        assertThat(spec.echo()).isFalse();
    }

    @Test
    void chatLengthAndLogprobFields() {
        GenerationSpec both = chat("""
                {"model":"stories260K","messages":[{"role":"user","content":"hi"}],"max_tokens":9,"max_completion_tokens":5,
                 "logprobs":true,"top_logprobs":20,"n":2,"stream":true,"stream_options":{"include_usage":false}}""");
        assertThat(both.maxTokens()).as("max_completion_tokens wins").isEqualTo(5);
        assertThat(both.logprobs()).isEqualTo(20);
        assertThat(both.n()).isEqualTo(2);
        assertThat(both.stream()).isTrue();
        assertThat(both.includeUsage()).isFalse();

        GenerationSpec plain = chat("""
                {"model":"stories260K","messages":[{"role":"user","content":"hi"}],"max_tokens":9,"logprobs":true}""");
        assertThat(plain.maxTokens()).isEqualTo(9);
        assertThat(plain.logprobs()).as("logprobs without alternatives").isZero();
        assertThat(chat("""
                {"model":"stories260K","messages":[{"role":"user","content":"hi"}],"logprobs":false}""").logprobs()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\"messages\":[]                                                   | 400 | messages",
        "\"messages\":[{\"content\":\"hi\"}]                               | 400 | messages[0].role",
        "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"tool\",\"content\":\"x\"}] | 400 | messages[1].role",
        "\"messages\":[{\"role\":\"user\"}]                                | 400 | messages[0].content",
        "\"messages\":[{\"role\":\"user\",\"content\":7}]                  | 400 | messages[0].content",
        "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{}}]}] | 422 | messages[0].content",
        "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":0 | 400 | max_completion_tokens",
        "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":0            | 400 | max_tokens",
        "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"top_logprobs\":2          | 400 | top_logprobs",
        "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logprobs\":true,\"top_logprobs\":21 | 400 | top_logprobs",
        "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[],\"response_format\":{} | 422 | tools",
        "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"reasoning_effort\":\"high\"      | 422 | reasoning_effort"})
    void chatRefusalsNameTheParameter(String fields, int status, String param) {
        ApiException refusal = chatRefused("{\"model\":\"stories260K\"," + fields + "}");
        assertRefused(refusal, status, param, status == 422 ? "unsupported_value" : "invalid_value");
    }

    @Test
    void everyUnofferedChatFeatureIsNamedInTheRefusal() {
        ApiException refusal = chatRefused("""
                {"model":"stories260K","messages":[{"role":"user","content":"hi"}],"tools":[],"response_format":{},"audio":{}}""");

        assertThat(refusal.getMessage()).contains("tools, response_format, audio");
        assertThat(chat("""
                {"model":"stories260K","messages":[{"role":"user","content":"hi"}],"tools":null}""").model())
                .as("an explicit null is not a request for the feature").isEqualTo("stories260K");
    }

    @Test
    void aCascadeChatRefusesLogprobs() {
        assertRefused(chatRefused("""
                {"model":"cascade","messages":[{"role":"user","content":"hi"}],"logprobs":true}"""), 422, "logprobs",
                "unsupported_value");
    }
}
