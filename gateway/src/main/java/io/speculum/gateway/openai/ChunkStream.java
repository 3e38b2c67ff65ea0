package io.speculum.gateway.openai;

import io.speculum.gateway.openai.OpenAiResponses.ChatChunk;
import io.speculum.gateway.openai.OpenAiResponses.ChatChunkChoice;
import io.speculum.gateway.openai.OpenAiResponses.CompletionChoice;
import io.speculum.gateway.openai.OpenAiResponses.CompletionChunk;
import io.speculum.gateway.openai.OpenAiResponses.Delta;
import io.speculum.gateway.openai.OpenAiResponses.Usage;
import io.speculum.protocol.GenerationEvent.TokenLogprob;
import io.speculum.protocol.GenerationEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * A request's generations (one per choice) as OpenAI's server-sent chunks: per choice one chunk per verifier round
 * (its text is whole characters: the verifier never splits a UTF-8 sequence), with the round's log-probabilities when
 * asked for, and a last chunk with the finish reason, each carrying the choice's {@code index}; choices interleave as
 * their rounds arrive. Then the usage chunk when asked for (all choices summed) and {@code data: [DONE]}. An error
 * after the stream started is sent as an {@code error} chunk before [DONE].
 */
public final class ChunkStream {

    private final List<OpenGeneration> generations;
    private final GenerationSpec spec;
    private final OpenGeneration first;
    private final JsonMapper json;

    public ChunkStream(List<OpenGeneration> generations, JsonMapper json) {
        this.generations = generations;
        this.first = generations.getFirst();
        this.spec = first.spec();
        this.json = json;
    }

    public Flux<ServerSentEvent<String>> events() {
        AtomicReferenceArray<GenerationEvent.Done> dones = new AtomicReferenceArray<>(generations.size());
        List<Flux<Object>> choices = new ArrayList<>();
        for (int i = 0; i < generations.size(); i++) {
            int index = i;
            OpenAiLogprobs.Offset offset = new OpenAiLogprobs.Offset(0);
            choices.add(generations.get(i).events()
                    .doOnNext(event -> {
                        if (event instanceof GenerationEvent.Done done) {
                            dones.set(index, done);
                        }
                    })
                    .concatMap(event -> Flux.fromIterable(chunksOf(index, event, offset))));
        }
        Flux<Object> body = Flux.merge(choices).onErrorResume(failure -> Flux.just(errorChunk(failure)));
        List<Object> head = new ArrayList<>();
        if (spec.kind() == RequestKind.CHAT) {
            for (int i = 0; i < generations.size(); i++) {
                head.add(chat(i, new Delta("assistant", ""), null, null, null));
            }
        }
        Flux<Object> usage = Flux.defer(() -> {
            List<GenerationEvent.Done> all = new ArrayList<>();
            for (int i = 0; i < dones.length(); i++) {
                if (dones.get(i) == null) {
                    return Flux.empty(); // a choice failed: its error chunk was sent
                }
                all.add(dones.get(i));
            }
            return spec.includeUsage() ? Flux.just(usageChunk(ResponseAssembler.usage(all))) : Flux.empty();
        });
        return Flux.concat(Flux.fromIterable(head), body, usage)
                .map(chunk -> ServerSentEvent.builder(json.writeValueAsString(chunk)).build())
                .concatWith(Flux.just(ServerSentEvent.builder("[DONE]").build()));
    }

    private List<Object> chunksOf(int index, GenerationEvent event, OpenAiLogprobs.Offset offset) {
        List<Object> chunks = new ArrayList<>();
        switch (event) {
            case GenerationEvent.Round round -> {
                OpenAiResponses.ChunkExtension stats = spec.stats() ? ResponseAssembler.roundInfo(round) : null;
                boolean echo = spec.echo() && round.position() == 0;
                String text = echo ? ResponseAssembler.echoedPrompt(spec, round.promptLogprobs()) + round.text() : round.text();
                Object logprobs = logprobs(round, echo, offset);
                if (!text.isEmpty() || stats != null || logprobs != null) {
                    chunks.add(spec.kind() == RequestKind.CHAT
                            ? chat(index, new Delta(null, text), logprobs, null, stats)
                            : completion(index, text, logprobs, null, stats));
                }
            }
            case GenerationEvent.Done done -> {
                if (done.text() != null && !done.text().isEmpty()) {
                    chunks.add(spec.kind() == RequestKind.CHAT
                            ? chat(index, new Delta(null, done.text()), null, null, null)
                            : completion(index, done.text(), null, null, null));
                }
                String finish = ResponseAssembler.finishReason(done.finishReason());
                chunks.add(spec.kind() == RequestKind.CHAT
                        ? chat(index, new Delta(null, null), null, finish, null)
                        : completion(index, "", null, finish, null));
            }
            case GenerationEvent.Error error -> chunks.add(errorChunk(ApiException.fromErrorEvent(error, null)));
        }
        return chunks;
    }

    /** The round's log-probabilities in the route's shape, or null when not asked for (or none in this round). */
    private Object logprobs(GenerationEvent.Round round, boolean echo, OpenAiLogprobs.Offset offset) {
        if (spec.logprobs() == null || round.logprobs() == null) {
            return null;
        }
        if (spec.kind() == RequestKind.CHAT) {
            return OpenAiLogprobs.chat(round.logprobs());
        }
        List<TokenLogprob> tokens = new ArrayList<>();
        if (echo && round.promptLogprobs() != null) {
            tokens.addAll(round.promptLogprobs());
        }
        tokens.addAll(round.logprobs());
        return OpenAiLogprobs.completion(echo ? "" : null, tokens, offset);
    }

    private Object usageChunk(Usage usage) {
        return spec.kind() == RequestKind.CHAT
                ? new ChatChunk(first.id(), "chat.completion.chunk", first.created(), spec.model(), List.of(), usage, null)
                : new CompletionChunk(first.id(), "text_completion", first.created(), spec.model(), List.of(), usage, null);
    }

    private ChatChunk chat(int index, Delta delta, Object logprobs, String finishReason, OpenAiResponses.ChunkExtension stats) {
        return new ChatChunk(first.id(), "chat.completion.chunk", first.created(), spec.model(),
                List.of(new ChatChunkChoice(index, delta, logprobs, finishReason)), null, stats);
    }

    private CompletionChunk completion(int index, String text, Object logprobs, String finishReason,
                                       OpenAiResponses.ChunkExtension stats) {
        return new CompletionChunk(first.id(), "text_completion", first.created(), spec.model(),
                List.of(new CompletionChoice(text, index, logprobs, finishReason)), null, stats);
    }

    private static Object errorChunk(Throwable failure) {
        ApiException error = failure instanceof ApiException api ? api
                : failure instanceof TimeoutException
                        ? ApiException.unavailable("timeout", "the model service stopped sending tokens", null)
                        : ApiException.internal("the stream failed: " + failure.getClass().getSimpleName());
        return error.body();
    }
}
