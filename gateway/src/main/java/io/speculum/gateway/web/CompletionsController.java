package io.speculum.gateway.web;

import io.speculum.gateway.GatewayProperties;
import io.speculum.gateway.backend.GenerationService;
import io.speculum.gateway.cascade.CascadeResponses;
import io.speculum.gateway.cascade.CascadeService;
import io.speculum.gateway.openai.ApiException;
import io.speculum.gateway.openai.ChatCompletionRequest;
import io.speculum.gateway.openai.ChunkStream;
import io.speculum.gateway.openai.CompletionRequest;
import io.speculum.gateway.openai.GenerationSpec;
import io.speculum.gateway.openai.OpenAiResponses;
import io.speculum.gateway.openai.RequestTranslator;
import io.speculum.gateway.openai.ResponseAssembler;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.util.function.Supplier;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * OpenAI's generation routes. Thin: the translator checks the body, the service runs the generation, and the answer
 * is one JSON response or a stream of server-sent chunks. The response status is decided by the generation's first
 * event, so errors before the first token are plain HTTP errors even for streams. A cascade model (see
 * {@code speculum.gateway.cascade-models}) is answered by the cascade router instead, after its deferral decision.
 */
@RestController
@SecurityRequirement(name = "bearer")
class CompletionsController {

    private final ApiKeyRateLimits rateLimits;
    private final RequestTranslator translator;
    private final GenerationService generations;
    private final CascadeService cascades;
    private final GatewayProperties properties;
    private final JsonMapper json;

    CompletionsController(ApiKeyRateLimits rateLimits, RequestTranslator translator, GenerationService generations,
            CascadeService cascades, GatewayProperties properties, JsonMapper json) {
        this.rateLimits = rateLimits;
        this.translator = translator;
        this.generations = generations;
        this.cascades = cascades;
        this.properties = properties;
        this.json = json;
    }

    @PostMapping("/v1/completions")
    @Operation(summary = "Creates a completion for a prompt (OpenAI's legacy completions API)",
            responses = {
                @ApiResponse(responseCode = "200", content = {
                    @Content(mediaType = "application/json", schema = @Schema(implementation = OpenAiResponses.Completion.class)),
                    @Content(mediaType = "text/event-stream", schema = @Schema(implementation = OpenAiResponses.CompletionChunk.class))}),
                @ApiResponse(responseCode = "4XX", content = @Content(schema = @Schema(implementation = ApiException.ErrorBody.class))),
                @ApiResponse(responseCode = "503", content = @Content(schema = @Schema(implementation = ApiException.ErrorBody.class)))})
    Mono<ResponseEntity<Object>> completions(@RequestBody CompletionRequest body, ServerWebExchange exchange) {
        return run(exchange, () -> translator.completion(body));
    }

    @PostMapping("/v1/chat/completions")
    @Operation(summary = "Creates a model response for a chat (rendered with the model's chat template)",
            responses = {
                @ApiResponse(responseCode = "200", content = {
                    @Content(mediaType = "application/json", schema = @Schema(implementation = OpenAiResponses.ChatCompletion.class)),
                    @Content(mediaType = "text/event-stream", schema = @Schema(implementation = OpenAiResponses.ChatChunk.class))}),
                @ApiResponse(responseCode = "4XX", content = @Content(schema = @Schema(implementation = ApiException.ErrorBody.class))),
                @ApiResponse(responseCode = "503", content = @Content(schema = @Schema(implementation = ApiException.ErrorBody.class)))})
    Mono<ResponseEntity<Object>> chatCompletions(@RequestBody ChatCompletionRequest body, ServerWebExchange exchange) {
        return run(exchange, () -> translator.chat(body));
    }

    private Mono<ResponseEntity<Object>> run(ServerWebExchange exchange, Supplier<GenerationSpec> translate) {
        return Mono.defer(() -> {
            rateLimits.charge(ApiKeyFilter.keyId(exchange));
            GenerationSpec spec = translate.get();
            if (properties.isCascade(spec.model())) {
                return cascades.answer(spec).map(answer -> spec.stream()
                        ? ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                                .body((Object) CascadeResponses.chunks(answer, json))
                        : ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(CascadeResponses.response(answer)));
            }
            return generations.openChoices(spec).flatMap(choices -> spec.stream()
                    ? Mono.just(ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                            .body((Object) new ChunkStream(choices, json).events()))
                    : Flux.fromIterable(choices).flatMapSequential(choice -> choice.events().collectList()).collectList()
                            .map(events -> ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
                                    .body(ResponseAssembler.assemble(choices, events))));
        });
    }
}
