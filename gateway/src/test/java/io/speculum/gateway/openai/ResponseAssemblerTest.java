package io.speculum.gateway.openai;

import static io.speculum.gateway.openai.GenerationEvents.CREATED;
import static io.speculum.gateway.openai.GenerationEvents.ID;
import static io.speculum.gateway.openai.GenerationEvents.completed;
import static io.speculum.gateway.openai.GenerationEvents.done;
import static io.speculum.gateway.openai.GenerationEvents.generation;
import static io.speculum.gateway.openai.GenerationEvents.logprob;
import static io.speculum.gateway.openai.GenerationEvents.plain;
import static io.speculum.gateway.openai.GenerationEvents.prefill;
import static io.speculum.gateway.openai.GenerationEvents.second;
import static io.speculum.gateway.openai.GenerationEvents.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.GenerationEvent.FinishReason;
import io.speculum.protocol.ProtocolError.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Non-streamed responses from the verifier's events, read as the JSON a client gets. */
class ResponseAssemblerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode assemble(GenerationSpec spec, List<List<GenerationEvent>> events) {
        List<OpenGeneration> generations = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            generations.add(generation(ID, i == 0 ? spec : spec.choice(i), events.get(i)));
        }
        return JSON.valueToTree(ResponseAssembler.assemble(generations, events));
    }

    private static JsonNode assembleOne(GenerationSpec spec, List<GenerationEvent> events) {
        return assemble(spec, List.of(events));
    }

    @Test
    void aCompletionIsOpenAisShapeWithTheRoundsTextAndUsage() {
        JsonNode response = assembleOne(plain(RequestKind.COMPLETION), completed(ID, FinishReason.STOP));

        assertThat(response.path("id").asString()).isEqualTo(ID);
        assertThat(response.path("object").asString()).isEqualTo("text_completion");
        assertThat(response.path("created").asLong()).isEqualTo(CREATED);
        assertThat(response.path("model").asString()).isEqualTo("stories260K");
        assertThat(response.path("choices")).hasSize(1);
        JsonNode choice = response.path("choices").path(0);
        assertThat(choice.path("text").asString()).isEqualTo(" upon a time");
        assertThat(choice.path("index").asInt(-1)).isZero();
        assertThat(choice.path("logprobs").isNull()).as("not asked for").isTrue();
        assertThat(choice.path("finish_reason").asString()).isEqualTo("stop");
        assertThat(response.path("usage").path("prompt_tokens").asInt()).isEqualTo(2);
        assertThat(response.path("usage").path("completion_tokens").asInt()).isEqualTo(3);
        assertThat(response.path("usage").path("total_tokens").asInt()).isEqualTo(5);
        assertThat(response.at("/usage/speculum/rounds").asInt()).isEqualTo(2);
        assertThat(response.at("/usage/speculum/drafted_tokens").asInt()).isEqualTo(3);
        assertThat(response.at("/usage/speculum/accepted_tokens").asInt()).isEqualTo(1);
        assertThat(response.at("/usage/speculum/mean_accepted_length").asDouble()).isEqualTo(1.5);
        assertThat(response.has("speculum")).as("per-round statistics only when asked for").isFalse();
    }

    @Test
    void aChatIsTheAssistantsMessage() {
        JsonNode response = assembleOne(plain(RequestKind.CHAT), completed(ID, FinishReason.LENGTH));

        assertThat(response.path("object").asString()).isEqualTo("chat.completion");
        JsonNode choice = response.path("choices").path(0);
        assertThat(choice.at("/message/role").asString()).isEqualTo("assistant");
        assertThat(choice.at("/message/content").asString()).isEqualTo(" upon a time");
        assertThat(choice.path("logprobs").isNull()).isTrue();
        assertThat(choice.path("finish_reason").asString()).isEqualTo("length");
        assertThat(choice.has("text")).isFalse();
    }

    @Test
    void textHeldBackUntilTheEndComesWithTheTerminalEvent() {
        JsonNode response = assembleOne(plain(RequestKind.COMPLETION), List.of(prefill(ID), second(ID), done(ID, FinishReason.STOP, "!")));

        assertThat(response.at("/choices/0/text").asString()).isEqualTo(" upon a time!");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"STOP, stop", "CANCELLED, stop", "LENGTH, length", "CONTEXT, length"})
    void finishReasonsAreOpenAis(FinishReason reason, String openAi) {
        assertThat(ResponseAssembler.finishReason(reason)).isEqualTo(openAi);
        assertThat(assembleOne(plain(RequestKind.CHAT), completed(ID, reason)).at("/choices/0/finish_reason").asString())
                .isEqualTo(openAi);
    }

    @Test
    void statsListEveryRoundWithItsDrafts() {
        JsonNode response = assembleOne(spec(RequestKind.COMPLETION, false, false, true, null, false, 1), completed(ID, FinishReason.STOP));

        JsonNode rounds = response.at("/speculum/rounds");
        assertThat(rounds).hasSize(2);
        assertThat(rounds.path(0).path("round").asInt(-1)).isZero();
        assertThat(rounds.path(0).path("tokens").asInt()).isEqualTo(1);
        assertThat(rounds.path(0).path("drafted").asInt(-1)).isZero();
        assertThat(rounds.path(0).path("drafter").isNull()).isTrue();
        assertThat(rounds.path(1).path("tokens").asInt()).isEqualTo(2);
        assertThat(rounds.path(1).path("drafted").asInt()).isEqualTo(3);
        assertThat(rounds.path(1).path("accepted").asInt()).isEqualTo(1);
        assertThat(rounds.path(1).path("drafter").asString()).isEqualTo("model");
    }

    @Test
    void completionLogprobsAreParallelListsWithTextOffsets() {
        JsonNode logprobs = assembleOne(spec(RequestKind.COMPLETION, false, false, false, 1, false, 1),
                completed(ID, FinishReason.STOP)).at("/choices/0/logprobs");

        assertThat(logprobs.path("tokens").valueStream().map(JsonNode::asString)).containsExactly(" upon", " a", " time");
        assertThat(logprobs.path("token_logprobs").valueStream().map(JsonNode::asDouble)).containsExactly(-0.5, -0.25, -0.125);
        assertThat(logprobs.path("text_offset").valueStream().map(JsonNode::asInt)).containsExactly(0, 5, 7);
        JsonNode firstTop = logprobs.path("top_logprobs").path(0);
        assertThat(firstTop.propertyNames()).containsExactly(" upon", " there");
        assertThat(firstTop.path(" there").asDouble()).isEqualTo(-1.5);
    }

    @Test
    void chatLogprobsAreTheContentListWithBytes() {
        JsonNode content = assembleOne(spec(RequestKind.CHAT, false, false, false, 1, false, 1),
                completed(ID, FinishReason.STOP)).at("/choices/0/logprobs/content");

        assertThat(content).hasSize(3);
        assertThat(content.path(0).path("token").asString()).isEqualTo(" upon");
        assertThat(content.path(0).path("logprob").asDouble()).isEqualTo(-0.5);
        assertThat(content.path(0).path("bytes").valueStream().map(JsonNode::asInt)).containsExactly(32, 117, 112, 111, 110);
        assertThat(content.path(0).path("top_logprobs").valueStream().map(t -> t.path("token").asString()))
                .containsExactly(" upon", " there");
    }

    @Test
    void anEchoedPromptLeadsTheTextAndItsTokensLeadTheLogprobsUnscoredFirst() {
        GenerationEvent.Round withPrompt = new GenerationEvent.Round(ID, 0, new int[] {301}, " upon", null, null,
                prefill(ID).logprobs(), List.of(logprob(9, "Once", -3.0)), 0, 0);
        JsonNode choice = assembleOne(spec(RequestKind.COMPLETION, false, false, false, 0, true, 1),
                List.of(withPrompt, second(ID), done(ID, FinishReason.STOP, ""))).at("/choices/0");

        assertThat(choice.path("text").asString()).isEqualTo("Once upon a time");
        JsonNode logprobs = choice.path("logprobs");
        assertThat(logprobs.path("tokens").valueStream().map(JsonNode::asString)).containsExactly("", "Once", " upon", " a", " time");
        assertThat(logprobs.path("token_logprobs").path(0).isNull()).as("nothing precedes the first token").isTrue();
        assertThat(logprobs.path("token_logprobs").path(1).asDouble()).isEqualTo(-3.0);
        assertThat(logprobs.path("text_offset").valueStream().map(JsonNode::asInt)).containsExactly(0, 0, 4, 9, 11);

        assertThat(assembleOne(spec(RequestKind.COMPLETION, false, false, false, null, true, 1), completed(ID, FinishReason.STOP))
                .at("/choices/0/text").asString()).as("echo without logprobs").isEqualTo("Once upon a time");
    }

    @Test
    void choicesKeepTheirIndexAndShareOnePromptInTheUsage() {
        List<GenerationEvent> other = List.of(new GenerationEvent.Round(ID, 0, new int[] {7}, " there", null), done(ID, FinishReason.LENGTH, ""));
        JsonNode response = assemble(spec(RequestKind.COMPLETION, false, false, false, null, false, 2),
                List.of(completed(ID, FinishReason.STOP), other));

        assertThat(response.path("choices").valueStream().map(c -> c.path("index").asInt())).containsExactly(0, 1);
        assertThat(response.at("/choices/1/text").asString()).isEqualTo(" there");
        assertThat(response.at("/choices/1/finish_reason").asString()).isEqualTo("length");
        assertThat(response.at("/usage/prompt_tokens").asInt()).as("the prompt once").isEqualTo(2);
        assertThat(response.at("/usage/completion_tokens").asInt()).isEqualTo(6);
        assertThat(response.at("/usage/total_tokens").asInt()).isEqualTo(8);
        assertThat(response.at("/usage/speculum/rounds").asInt()).isEqualTo(4);
        assertThat(response.at("/usage/speculum/accepted_tokens").asInt()).isEqualTo(2);
        assertThat(response.at("/usage/speculum/mean_accepted_length").asDouble()).as("(accepted + rounds) / rounds").isEqualTo(1.5);
    }

    @Test
    void usageHasNoSpeculationTotalsWhenAChoiceHasNone() {
        GenerationEvent.Done bare = new GenerationEvent.Done(ID, 1, FinishReason.STOP, "", new GenerationEvent.Usage(4, 1), null);
        JsonNode usage = assembleOne(plain(RequestKind.COMPLETION), List.of(new GenerationEvent.Round(ID, 0, new int[] {7}, "x", null), bare))
                .path("usage");

        assertThat(usage.path("total_tokens").asInt()).isEqualTo(5);
        assertThat(usage.path("speculum").isNull()).isTrue();
    }

    @Test
    void anErrorEventIsTheHttpErrorOfItsCode() {
        ApiException tooLong = catchThrowableOfType(ApiException.class, () -> assembleOne(plain(RequestKind.COMPLETION),
                List.of(new GenerationEvent.Error(ID, 0, ErrorCode.PROMPT_TOO_LONG, "4096 tokens do not fit"))));
        assertThat(tooLong.status().value()).isEqualTo(400);
        assertThat(tooLong.body().error().code()).isEqualTo("context_length_exceeded");
        assertThat(tooLong.getMessage()).isEqualTo("4096 tokens do not fit");

        ApiException busy = catchThrowableOfType(ApiException.class, () -> assembleOne(plain(RequestKind.CHAT),
                List.of(prefill(ID), new GenerationEvent.Error(ID, 1, ErrorCode.OVERLOADED, "full"))));
        assertThat(busy.status().value()).isEqualTo(503);
        assertThat(busy.body().error().code()).isEqualTo("overloaded");
        assertThat(busy.retryAfterSeconds()).isEqualTo("1");

        ApiException drafter = catchThrowableOfType(ApiException.class, () -> assembleOne(plain(RequestKind.CHAT),
                List.of(new GenerationEvent.Error(ID, 0, ErrorCode.DRAFTER_FAILED, "gone"))));
        assertThat(drafter.status().value()).isEqualTo(500);
        assertThat(drafter.getMessage()).contains("DRAFTER_FAILED", "gone");
    }

    @Test
    void eventsWithoutATerminalOneAreAnInternalError() {
        ApiException cut = catchThrowableOfType(ApiException.class, () -> assembleOne(plain(RequestKind.COMPLETION),
                List.of(prefill(ID), second(ID))));

        assertThat(cut.status().value()).isEqualTo(500);
        assertThat(cut.body().error().code()).isEqualTo("internal_error");
    }
}
