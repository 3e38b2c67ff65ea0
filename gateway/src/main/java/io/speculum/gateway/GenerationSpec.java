package io.speculum.gateway;

import io.speculum.math.SamplingParams;
import io.speculum.protocol.CascadeRouting;
import io.speculum.protocol.SpeculationPolicy;
import java.util.List;

/**
 * A validated OpenAI request, in the protocol's terms.
 *
 * @param prompt       the prompt text (chats already rendered), or null when {@code promptTokens} is given
 * @param includeUsage stream a last chunk with the usage
 * @param stats        per-round speculation statistics in chunks / the response
 * @param cascade      a cascade request's own options (none set for other models)
 */
record GenerationSpec(RequestKind kind, String model, String prompt, int[] promptTokens, int maxTokens,
                      SamplingParams sampling, List<String> stop, SpeculationPolicy speculation, boolean stream,
                      boolean includeUsage, boolean stats, Cascade cascade) {

    /**
     * @param threshold      the request's own deferral threshold, or null for the router's
     * @param routing        the routing mode, or null for the router's default ({@code DEFER})
     * @param tokenThreshold token routing's own surprisal threshold, or null for the router's
     */
    record Cascade(Double threshold, CascadeRouting routing, Double tokenThreshold) {
        static final Cascade NONE = new Cascade(null, null, null);
    }
}
