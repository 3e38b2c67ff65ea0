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

import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.GenerationEvent.FinishReason;
import io.speculum.protocol.ProtocolError.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Streamed responses from the verifier's events: one server-sent event per chunk, each only {@code data} (OpenAI's
 * {@code data: {...}} lines), then {@code data: [DONE]}; read here as the JSON a client parses.
 */
class ChunkStreamTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String DONE = "[DONE]";

    /** The stream's data, in order, checking that every event is data only and that [DONE] ends it. */
    private static List<JsonNode> stream(List<OpenGeneration> generations) {
        List<ServerSentEvent<String>> events = new ChunkStream(generations, JSON).events().collectList().block(Duration.ofSeconds(5));
        assertThat(events).isNotEmpty();
        assertThat(events).allSatisfy(event -> {
            assertThat(event.event()).isNull();
            assertThat(event.id()).isNull();
            assertThat(event.comment()).isNull();
            assertThat(event.data()).isNotNull();
        });
        assertThat(events.getLast().data()).isEqualTo(DONE);
        assertThat(events.subList(0, events.size() - 1)).noneMatch(event -> event.data().equals(DONE));
        List<JsonNode> chunks = new ArrayList<>();
        events.subList(0, events.size() - 1).forEach(event -> chunks.add(JSON.readTree(event.data())));
        return chunks;
    }

    private static List<JsonNode> stream(GenerationSpec spec, List<GenerationEvent> events) {
        return stream(List.of(generation(ID, spec, events)));
    }

    private static String text(JsonNode chunk) {
        return chunk.at("/choices/0/text").asString();
    }

    @Test
    void aCompletionStreamsOneChunkPerRoundThenTheFinishReason() {
        List<JsonNode> chunks = stream(spec(RequestKind.COMPLETION, true, false, false, null, false, 1), completed(ID, FinishReason.STOP));

        assertThat(chunks).hasSize(3);
        assertThat(chunks).map(ChunkStreamTest::text).containsExactly(" upon", " a time", "");
        assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.path("id").asString()).isEqualTo(ID);
            assertThat(chunk.path("object").asString()).isEqualTo("text_completion");
            assertThat(chunk.path("created").asLong()).isEqualTo(CREATED);
            assertThat(chunk.path("model").asString()).isEqualTo("stories260K");
            assertThat(chunk.at("/choices/0/index").asInt(-1)).isZero();
            assertThat(chunk.has("usage")).isFalse();
            assertThat(chunk.has("speculum")).isFalse();
        });
        assertThat(chunks.get(0).at("/choices/0/finish_reason").isNull()).isTrue();
        assertThat(chunks.get(2).at("/choices/0/finish_reason").asString()).isEqualTo("stop");
    }

    @Test
    void aChatStreamStartsWithTheRoleAndEndsWithAnEmptyDelta() {
        List<JsonNode> chunks = stream(spec(RequestKind.CHAT, true, false, false, null, false, 1), completed(ID, FinishReason.LENGTH));

        assertThat(chunks).hasSize(4);
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.path("object").asString()).isEqualTo("chat.completion.chunk"));
        JsonNode role = chunks.get(0).at("/choices/0/delta");
        assertThat(role.path("role").asString()).isEqualTo("assistant");
        assertThat(role.path("content").asString()).isEmpty();
        assertThat(chunks.get(1).at("/choices/0/delta/content").asString()).isEqualTo(" upon");
        assertThat(chunks.get(1).at("/choices/0/delta").has("role")).isFalse();
        assertThat(chunks.get(2).at("/choices/0/delta/content").asString()).isEqualTo(" a time");
        JsonNode last = chunks.get(3).at("/choices/0");
        assertThat(last.path("delta").isEmpty()).as("no role, no content").isTrue();
        assertThat(last.path("finish_reason").asString()).isEqualTo("length");
    }

    @Test
    void textHeldBackUntilTheEndHasAChunkBeforeTheFinish() {
        List<JsonNode> chunks = stream(plain(RequestKind.COMPLETION), List.of(prefill(ID), done(ID, FinishReason.STOP, " time!")));

        assertThat(chunks).map(ChunkStreamTest::text).containsExactly(" upon", " time!", "");
        assertThat(chunks.get(1).at("/choices/0/finish_reason").isNull()).isTrue();
    }

    @Test
    void aRoundWithNothingToSayHasNoChunk() {
        GenerationEvent.Round empty = new GenerationEvent.Round(ID, 2, new int[0], "", null, null, null, null, 3, 12);
        List<JsonNode> chunks = stream(plain(RequestKind.COMPLETION), List.of(prefill(ID), second(ID), empty, done(ID, FinishReason.STOP, "")));

        assertThat(chunks).map(ChunkStreamTest::text).containsExactly(" upon", " a time", "");
    }

    @Test
    void theUsageChunkHasNoChoicesAndComesLastWhenAskedFor() {
        List<JsonNode> chunks = stream(spec(RequestKind.CHAT, true, true, false, null, false, 1), completed(ID, FinishReason.STOP));

        JsonNode usage = chunks.getLast();
        assertThat(usage.path("choices")).isEmpty();
        assertThat(usage.path("object").asString()).isEqualTo("chat.completion.chunk");
        assertThat(usage.at("/usage/prompt_tokens").asInt()).isEqualTo(2);
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(3);
        assertThat(usage.at("/usage/total_tokens").asInt()).isEqualTo(5);
        assertThat(usage.at("/usage/speculum/mean_accepted_length").asDouble()).isEqualTo(1.5);
        assertThat(chunks.subList(0, chunks.size() - 1)).noneMatch(chunk -> chunk.has("usage"));
    }

    @Test
    void statsPutEachRoundsDraftsOnItsChunk() {
        List<JsonNode> chunks = stream(spec(RequestKind.COMPLETION, true, false, true, null, false, 1), completed(ID, FinishReason.STOP));

        assertThat(chunks.get(0).at("/speculum/round").asInt(-1)).isZero();
        assertThat(chunks.get(0).at("/speculum/tokens").asInt()).isEqualTo(1);
        assertThat(chunks.get(1).at("/speculum/round").asInt()).isEqualTo(1);
        assertThat(chunks.get(1).at("/speculum/tokens").asInt()).isEqualTo(2);
        assertThat(chunks.get(1).at("/speculum/drafted").asInt()).isEqualTo(3);
        assertThat(chunks.get(1).at("/speculum/accepted").asInt()).isEqualTo(1);
        assertThat(chunks.get(1).at("/speculum/drafter").asString()).isEqualTo("model");
        assertThat(chunks.get(2).has("speculum")).as("the finish chunk carries no round").isFalse();
    }

    @Test
    void completionLogprobsContinueTheirTextOffsetsAcrossChunks() {
        List<JsonNode> chunks = stream(spec(RequestKind.COMPLETION, true, false, false, 1, false, 1), completed(ID, FinishReason.STOP));

        JsonNode first = chunks.get(0).at("/choices/0/logprobs");
        JsonNode next = chunks.get(1).at("/choices/0/logprobs");
        assertThat(first.path("tokens").valueStream().map(JsonNode::asString)).containsExactly(" upon");
        assertThat(first.path("text_offset").valueStream().map(JsonNode::asInt)).containsExactly(0);
        assertThat(first.at("/top_logprobs/0").propertyNames()).containsExactly(" upon", " there");
        assertThat(next.path("tokens").valueStream().map(JsonNode::asString)).containsExactly(" a", " time");
        assertThat(next.path("token_logprobs").valueStream().map(JsonNode::asDouble)).containsExactly(-0.25, -0.125);
        assertThat(next.path("text_offset").valueStream().map(JsonNode::asInt)).containsExactly(5, 7);
        assertThat(chunks.get(2).at("/choices/0/logprobs").isNull()).isTrue();
    }

    @Test
    void chatLogprobsComeAsTheContentList() {
        List<JsonNode> chunks = stream(spec(RequestKind.CHAT, true, false, false, 0, false, 1), completed(ID, FinishReason.STOP));

        JsonNode content = chunks.get(2).at("/choices/0/logprobs/content");
        assertThat(content.valueStream().map(t -> t.path("token").asString())).containsExactly(" a", " time");
        assertThat(content.path(0).path("bytes").valueStream().map(JsonNode::asInt)).containsExactly(32, 97);
        assertThat(chunks.get(0).at("/choices/0/logprobs").isNull()).as("the role chunk").isTrue();
    }

    @Test
    void anEchoedPromptLeadsTheFirstChunk() {
        GenerationEvent.Round withPrompt = new GenerationEvent.Round(ID, 0, new int[] {301}, " upon", null, null,
                prefill(ID).logprobs(), List.of(logprob(9, "Once", -3.0)), 0, 0);
        List<JsonNode> chunks = stream(spec(RequestKind.COMPLETION, true, false, false, 0, true, 1),
                List.of(withPrompt, second(ID), done(ID, FinishReason.STOP, "")));

        assertThat(text(chunks.get(0))).isEqualTo("Once upon");
        assertThat(chunks.get(0).at("/choices/0/logprobs/tokens").valueStream().map(JsonNode::asString)).containsExactly("", "Once", " upon");
        assertThat(chunks.get(0).at("/choices/0/logprobs/text_offset").valueStream().map(JsonNode::asInt)).containsExactly(0, 0, 4);
        assertThat(text(chunks.get(1))).as("only the first chunk echoes").isEqualTo(" a time");
        assertThat(chunks.get(1).at("/choices/0/logprobs/text_offset").valueStream().map(JsonNode::asInt)).containsExactly(9, 11);
    }

    @Test
    void anErrorEventAfterTheStartIsAnErrorChunkAndNoUsage() {
        List<JsonNode> chunks = stream(spec(RequestKind.COMPLETION, true, true, false, null, false, 1),
                List.of(prefill(ID), new GenerationEvent.Error(ID, 1, ErrorCode.DEADLINE_EXCEEDED, "too slow")));

        assertThat(chunks).hasSize(2);
        JsonNode error = chunks.get(1).path("error");
        assertThat(error.path("code").asString()).isEqualTo("timeout");
        assertThat(error.path("type").asString()).isEqualTo("service_unavailable_error");
        assertThat(error.path("message").asString()).isEqualTo("too slow");
        assertThat(chunks.get(1).has("choices")).isFalse();
    }

    @Test
    void aStreamThatFailsEndsWithAnErrorChunkThenDone() {
        Flux<GenerationEvent> silent = Flux.concat(Flux.just(prefill(ID)), Flux.error(new TimeoutException("idle")));
        List<JsonNode> timedOut = stream(List.of(generation(ID, plain(RequestKind.COMPLETION), silent)));
        assertThat(timedOut).hasSize(2);
        assertThat(timedOut.get(1).at("/error/code").asString()).isEqualTo("timeout");
        assertThat(timedOut.get(1).at("/error/message").asString()).contains("stopped sending tokens");

        Flux<GenerationEvent> broken = Flux.concat(Flux.just(prefill(ID)), Flux.error(new IllegalStateException("bug")));
        List<JsonNode> failed = stream(List.of(generation(ID, plain(RequestKind.CHAT), broken)));
        assertThat(failed.getLast().at("/error/code").asString()).isEqualTo("internal_error");
        assertThat(failed.getLast().at("/error/message").asString()).contains("IllegalStateException");
    }

    @Test
    void choicesInterleaveWithTheirIndexAndTheUsageSumsThem() {
        GenerationSpec spec = spec(RequestKind.CHAT, true, true, false, null, false, 2);
        List<GenerationEvent> other = List.of(new GenerationEvent.Round(ID, 0, new int[] {7}, " there", null), done(ID, FinishReason.LENGTH, ""));
        List<JsonNode> chunks = stream(List.of(generation(ID, spec, completed(ID, FinishReason.STOP)), generation(ID, spec.choice(1), other)));

        assertThat(chunks.subList(0, 2)).as("a role chunk per choice first").allSatisfy(chunk ->
                assertThat(chunk.at("/choices/0/delta/role").asString()).isEqualTo("assistant"));
        assertThat(chunks.subList(0, 2)).map(chunk -> chunk.at("/choices/0/index").asInt()).containsExactly(0, 1);
        StringBuilder[] texts = {new StringBuilder(), new StringBuilder()};
        List<String> finishes = new ArrayList<>();
        for (JsonNode chunk : chunks.subList(2, chunks.size() - 1)) {
            JsonNode choice = chunk.at("/choices/0");
            texts[choice.path("index").asInt()].append(choice.at("/delta/content").asString(""));
            if (choice.hasNonNull("finish_reason")) {
                finishes.add(choice.path("index").asInt() + ":" + choice.path("finish_reason").asString());
            }
        }
        assertThat(texts[0]).hasToString(" upon a time");
        assertThat(texts[1]).hasToString(" there");
        assertThat(finishes).containsExactlyInAnyOrder("0:stop", "1:length");
        assertThat(chunks.getLast().at("/usage/completion_tokens").asInt()).isEqualTo(6);
        assertThat(chunks.getLast().at("/usage/prompt_tokens").asInt()).isEqualTo(2);
    }
}
