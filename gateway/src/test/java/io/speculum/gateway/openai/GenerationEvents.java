package io.speculum.gateway.openai;

import io.speculum.math.Penalties;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.GenerationEvent.FinishReason;
import io.speculum.protocol.GenerationEvent.TokenLogprob;
import io.speculum.protocol.SpeculationPolicy;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * What the verifier sends for one request, written out for the response-side tests: the completion " upon a time"
 * of the prompt "Once" in two rounds, and specs of either route.
 */
final class GenerationEvents {

    static final String ID = "cmpl-test";
    static final long CREATED = 1_765_000_000L;

    private GenerationEvents() {
    }

    /** A spec as the translator makes it, with the switches the response side reads. */
    static GenerationSpec spec(RequestKind kind, boolean stream, boolean includeUsage, boolean stats, Integer logprobs,
            boolean echo, int n) {
        return new GenerationSpec(kind, "stories260K", "Once", null, 16, SamplingParams.greedy(), List.of(),
                SpeculationPolicy.defaults(), stream, includeUsage, stats, GenerationSpec.Cascade.NONE, logprobs, echo,
                Penalties.NONE, n);
    }

    static GenerationSpec plain(RequestKind kind) {
        return spec(kind, false, false, false, null, false, 1);
    }

    static TokenLogprob logprob(int token, String text, double logprob, TokenLogprob... top) {
        return new TokenLogprob(token, text, logprob, List.of(top));
    }

    /** Round 0 (the prefill, no drafts): " upon", with its log-probability. */
    static GenerationEvent.Round prefill(String id) {
        return new GenerationEvent.Round(id, 0, new int[] {301}, " upon", new GenerationEvent.RoundStats(0, 0, null, 2.0, 0),
                null, List.of(logprob(301, " upon", -0.5, logprob(301, " upon", -0.5), logprob(42, " there", -1.5))),
                null, 0, 0);
    }

    /** Round 1: " a time", two tokens of which one was an accepted draft. */
    static GenerationEvent.Round second(String id) {
        return new GenerationEvent.Round(id, 1, new int[] {302, 303}, " a time",
                new GenerationEvent.RoundStats(3, 1, "model", 1.0, 0.2), null,
                List.of(logprob(302, " a", -0.25, logprob(302, " a", -0.25)), logprob(303, " time", -0.125, logprob(303, " time", -0.125))),
                null, 1, 5);
    }

    static GenerationEvent.Done done(String id, FinishReason reason, String heldBack) {
        return new GenerationEvent.Done(id, 2, reason, heldBack, new GenerationEvent.Usage(2, 3),
                new GenerationEvent.GenerationStats(2, 3, 1, 1.5));
    }

    static List<GenerationEvent> completed(String id, FinishReason reason) {
        return List.of(prefill(id), second(id), done(id, reason, ""));
    }

    static OpenGeneration generation(String id, GenerationSpec spec, List<GenerationEvent> events) {
        return new OpenGeneration(id, CREATED, spec, Flux.fromIterable(events));
    }

    static OpenGeneration generation(String id, GenerationSpec spec, Flux<GenerationEvent> events) {
        return new OpenGeneration(id, CREATED, spec, events);
    }
}
