package io.speculum.gateway.openai;

import io.speculum.math.Penalties;
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
 * @param logprobs     how many alternatives each token's log-probability comes with, or null for no log-probabilities
 * @param echo         completions: the prompt is part of the answer (with its log-probabilities when asked for)
 * @param penalties    logit bias and penalties for the verifier
 * @param n            how many independent choices
 */
public record GenerationSpec(RequestKind kind, String model, String prompt, int[] promptTokens, int maxTokens,
                      SamplingParams sampling, List<String> stop, SpeculationPolicy speculation, boolean stream,
                      boolean includeUsage, boolean stats, Cascade cascade, Integer logprobs, boolean echo,
                      Penalties penalties, int n) {

    /**
     * Choice {@code index}'s spec: choice 0 keeps the request's seed (so it equals the answer of n = 1), the others
     * draw with seeds derived from it.
     */
    public GenerationSpec choice(int index) {
        if (index == 0 || sampling.deterministic()) {
            return this;
        }
        return new GenerationSpec(kind, model, prompt, promptTokens, maxTokens, sampling.withSeed(derivedSeed(sampling.seed(), index)),
                stop, speculation, stream, includeUsage, stats, cascade, logprobs, echo, penalties, n);
    }

    /** SplitMix64's finaliser of (seed, index): well spread, reproducible. */
    static long derivedSeed(long seed, int index) {
        long z = seed + 0x9E3779B97F4A7C15L * index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * @param threshold      the request's own deferral threshold, or null for the router's
     * @param routing        the routing mode, or null for the router's default ({@code DEFER})
     * @param tokenThreshold token routing's own surprisal threshold, or null for the router's
     */
    public record Cascade(Double threshold, CascadeRouting routing, Double tokenThreshold) {
        static final Cascade NONE = new Cascade(null, null, null);
    }
}
