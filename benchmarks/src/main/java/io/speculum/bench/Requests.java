package io.speculum.bench;

import io.speculum.math.SamplingParams;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.SpeculationPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Generate requests as the benchmark sends them: to the target named "stories260K", replies on one topic. */
final class Requests {

    static final String REPLIES = "bench-replies";
    static final String MODEL = "stories260K";

    private Requests() {
    }

    static GenerateRequest of(String tag, String prompt, int tokens, SpeculationPolicy policy, double temperature, long seed) {
        SamplingParams sampling = temperature == 0 ? SamplingParams.greedy() : SamplingParams.ofTemperature(temperature, seed);
        return new GenerateRequest(tag + "-" + UUID.randomUUID(), REPLIES, MODEL, prompt, null, tokens, sampling, List.of(),
                policy, 0, 0);
    }

    /** Greedy requests for {@code prompts[from, from + n)}, one per prompt. */
    static List<GenerateRequest> greedy(String tag, List<String> prompts, int from, int n, int tokens, SpeculationPolicy policy) {
        List<GenerateRequest> requests = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            requests.add(of(tag + i, prompts.get(i), tokens, policy, 0, i));
        }
        return requests;
    }

    static SpeculationPolicy fixed(String drafter, int k) {
        return new SpeculationPolicy(SpeculationPolicy.Mode.FIXED, drafter, k, 0.0);
    }

    static SpeculationPolicy automatic(String drafter, int k) {
        return new SpeculationPolicy(SpeculationPolicy.Mode.AUTO, drafter, k, 0.0);
    }
}
