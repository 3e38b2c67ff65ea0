package io.speculum.gateway.cascade;

import io.speculum.gateway.cascade.CascadeService.CascadeAnswer;
import io.speculum.gateway.openai.GenerationSpec;
import io.speculum.gateway.openai.OpenAiResponses.ChatChoice;
import io.speculum.gateway.openai.OpenAiResponses.ChatChunk;
import io.speculum.gateway.openai.OpenAiResponses.ChatChunkChoice;
import io.speculum.gateway.openai.OpenAiResponses.ChatCompletion;
import io.speculum.gateway.openai.OpenAiResponses.ChatMessage;
import io.speculum.gateway.openai.OpenAiResponses.Completion;
import io.speculum.gateway.openai.OpenAiResponses.CompletionChoice;
import io.speculum.gateway.openai.OpenAiResponses.CompletionChunk;
import io.speculum.gateway.openai.OpenAiResponses.Delta;
import io.speculum.gateway.openai.OpenAiResponses;
import io.speculum.gateway.openai.RequestKind;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * A cascade's answer as OpenAI's response, or as its chunks: the router decides before it answers, so a stream is the
 * whole answer in one content chunk (carrying the cascade extension), the finish chunk, the usage chunk when asked
 * for, then {@code data: [DONE]}. Chat streams start with the role delta, as the verifier's do.
 */
public final class CascadeResponses {

    private CascadeResponses() {
    }

    public static Object response(CascadeAnswer answer) {
        GenerationSpec spec = answer.spec();
        return switch (spec.kind()) {
            case COMPLETION -> new Completion(answer.id(), "text_completion", answer.created(), spec.model(),
                    List.of(new CompletionChoice(answer.text(), 0, null, answer.finishReason())), answer.usage(),
                    answer.extension());
            case CHAT -> new ChatCompletion(answer.id(), "chat.completion", answer.created(), spec.model(),
                    List.of(new ChatChoice(0, new ChatMessage("assistant", answer.text(), null), null, answer.finishReason())),
                    answer.usage(), answer.extension());
        };
    }

    public static Flux<ServerSentEvent<String>> chunks(CascadeAnswer answer, JsonMapper json) {
        GenerationSpec spec = answer.spec();
        boolean chat = spec.kind() == RequestKind.CHAT;
        List<Object> chunks = new ArrayList<>();
        if (chat) {
            chunks.add(chat(answer, new Delta("assistant", ""), null, null));
            chunks.add(chat(answer, new Delta(null, answer.text()), null, answer.extension()));
            chunks.add(chat(answer, new Delta(null, null), answer.finishReason(), null));
        } else {
            chunks.add(completion(answer, answer.text(), null, answer.extension()));
            chunks.add(completion(answer, "", answer.finishReason(), null));
        }
        if (spec.includeUsage()) {
            chunks.add(chat
                    ? new ChatChunk(answer.id(), "chat.completion.chunk", answer.created(), spec.model(), List.of(), answer.usage(), null)
                    : new CompletionChunk(answer.id(), "text_completion", answer.created(), spec.model(), List.of(), answer.usage(), null));
        }
        return Flux.fromIterable(chunks)
                .map(chunk -> ServerSentEvent.builder(json.writeValueAsString(chunk)).build())
                .concatWith(Flux.just(ServerSentEvent.builder("[DONE]").build()));
    }

    private static ChatChunk chat(CascadeAnswer answer, Delta delta, String finishReason, OpenAiResponses.ChunkExtension extension) {
        return new ChatChunk(answer.id(), "chat.completion.chunk", answer.created(), answer.spec().model(),
                List.of(new ChatChunkChoice(0, delta, null, finishReason)), null, extension);
    }

    private static CompletionChunk completion(CascadeAnswer answer, String text, String finishReason,
            OpenAiResponses.ChunkExtension extension) {
        return new CompletionChunk(answer.id(), "text_completion", answer.created(), answer.spec().model(),
                List.of(new CompletionChoice(text, 0, null, finishReason)), null, extension);
    }
}
