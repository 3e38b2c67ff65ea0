package io.speculum.gateway.openai;

import io.speculum.protocol.GenerationEvent;
import reactor.core.publisher.Flux;

/**
 * A generation whose first event has arrived: the response can be committed.
 *
 * @param created OpenAI's {@code created}, epoch seconds
 * @param events  every event, the first included, ending with the terminal one; cancelling it cancels the generation
 */
public record OpenGeneration(String id, long created, GenerationSpec spec, Flux<GenerationEvent> events) {
}
