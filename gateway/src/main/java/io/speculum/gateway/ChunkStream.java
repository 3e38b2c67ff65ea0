package io.speculum.gateway;

import io.speculum.gateway.OpenAiResponses.ChatChunk;
import io.speculum.gateway.OpenAiResponses.ChatChunkChoice;
import io.speculum.gateway.OpenAiResponses.CompletionChoice;
import io.speculum.gateway.OpenAiResponses.CompletionChunk;
import io.speculum.gateway.OpenAiResponses.Delta;
import io.speculum.gateway.OpenAiResponses.RoundInfo;
import io.speculum.gateway.OpenAiResponses.Usage;
import io.speculum.protocol.GenerationEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * A generation's events as OpenAI's server-sent chunks: one chunk per verifier round (its text is whole characters:
 * the verifier never splits a UTF-8 sequence), a last chunk with the finish reason, the usage chunk when asked for,
 * then {@code data: [DONE]}. An error after the stream started is sent as an {@code error} chunk before [DONE].
 */
final class ChunkStream {

    private final OpenGeneration generation;
    private final JsonMapper json;

    ChunkStream(OpenGeneration generation, JsonMapper json) {
        this.generation = generation;
        this.json = json;
    }

    Flux<ServerSentEvent<String>> events() {
        Flux<Object> chunks = generation.events()
                .concatMap(event -> Flux.fromIterable(chunksOf(event)))
                .onErrorResume(failure -> Flux.just(errorChunk(failure)));
        Flux<Object> head = generation.spec().kind() == RequestKind.CHAT
                ? Flux.just(chat(new Delta("assistant", ""), null, null, null))
                : Flux.empty();
        return Flux.concat(head, chunks)
                .map(chunk -> ServerSentEvent.builder(json.writeValueAsString(chunk)).build())
                .concatWith(Flux.just(ServerSentEvent.builder("[DONE]").build()));
    }

    private List<Object> chunksOf(GenerationEvent event) {
        List<Object> chunks = new ArrayList<>();
        GenerationSpec spec = generation.spec();
        switch (event) {
            case GenerationEvent.Round round -> {
                OpenAiResponses.ChunkExtension stats = spec.stats() ? ResponseAssembler.roundInfo(round) : null;
                if (!round.text().isEmpty() || stats != null) {
                    chunks.add(content(round.text(), null, stats));
                }
            }
            case GenerationEvent.Done done -> {
                if (done.text() != null && !done.text().isEmpty()) {
                    chunks.add(content(done.text(), null, null));
                }
                chunks.add(spec.kind() == RequestKind.CHAT
                        ? chat(new Delta(null, null), ResponseAssembler.finishReason(done.finishReason()), null, null)
                        : completion("", ResponseAssembler.finishReason(done.finishReason()), null));
                if (spec.includeUsage()) {
                    Usage usage = ResponseAssembler.usage(done);
                    chunks.add(spec.kind() == RequestKind.CHAT
                            ? new ChatChunk(generation.id(), "chat.completion.chunk", generation.created(), spec.model(), List.of(), usage, null)
                            : new CompletionChunk(generation.id(), "text_completion", generation.created(), spec.model(), List.of(), usage, null));
                }
            }
            case GenerationEvent.Error error -> chunks.add(errorChunk(GenerationService.fromErrorEvent(error, null)));
        }
        return chunks;
    }

    private Object content(String text, String finishReason, OpenAiResponses.ChunkExtension stats) {
        return generation.spec().kind() == RequestKind.CHAT
                ? chat(new Delta(null, text), finishReason, null, stats)
                : completion(text, finishReason, stats);
    }

    private ChatChunk chat(Delta delta, String finishReason, Usage usage, OpenAiResponses.ChunkExtension stats) {
        return new ChatChunk(generation.id(), "chat.completion.chunk", generation.created(), generation.spec().model(),
                List.of(new ChatChunkChoice(0, delta, null, finishReason)), usage, stats);
    }

    private CompletionChunk completion(String text, String finishReason, OpenAiResponses.ChunkExtension stats) {
        return new CompletionChunk(generation.id(), "text_completion", generation.created(), generation.spec().model(),
                List.of(new CompletionChoice(text, 0, null, finishReason)), null, stats);
    }

    private static Object errorChunk(Throwable failure) {
        ApiException error = failure instanceof ApiException api ? api
                : failure instanceof TimeoutException
                        ? ApiException.unavailable("timeout", "the model service stopped sending tokens", null)
                        : ApiException.internal("the stream failed: " + failure.getClass().getSimpleName());
        return error.body();
    }
}
