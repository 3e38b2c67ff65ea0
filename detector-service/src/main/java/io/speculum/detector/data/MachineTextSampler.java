package io.speculum.detector.data;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.DecodeBatch;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.Model;
import io.speculum.math.SamplingParams;
import io.speculum.math.SeededUniform;
import io.speculum.math.TokenSampler;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples continuations of prompts from a model through the binding: temperature 1, no truncation, up to
 * {@code maxTokens} tokens or end of generation, several prompts decoded together. Each prompt draws from its own
 * seeded stream ({@link SeededUniform} keyed by seed + prompt id and position), so a sample does not depend on which
 * prompts share its batch.
 */
public final class MachineTextSampler {

    private static final int SEQUENCES = 8;

    private final Model model;
    private final int maxTokens;
    private final long seed;
    private final int threads;

    public MachineTextSampler(Model model, int maxTokens, long seed, int threads) {
        this.model = model;
        this.maxTokens = maxTokens;
        this.seed = seed;
        this.threads = threads;
    }

    /** A prompt to continue; {@code id} keys its random stream. */
    public record Prompt(int id, String text) {
    }

    /** The sampled continuation (prompt excluded) of each prompt, in order. */
    public List<String> sample(List<Prompt> prompts) {
        List<String> out = new ArrayList<>();
        int limit = model.metadata().trainingContext();
        ContextOptions options = new ContextOptions(Math.min(SEQUENCES * limit, 4096), 512, 512, SEQUENCES, threads, threads, false);
        try (InferenceContext context = model.newContext(options)) {
            for (int from = 0; from < prompts.size(); from += SEQUENCES) {
                out.addAll(sampleGroup(context, prompts.subList(from, Math.min(prompts.size(), from + SEQUENCES)), limit));
            }
        }
        return out;
    }

    private List<String> sampleGroup(InferenceContext context, List<Prompt> group, int limit) {
        context.clear();
        SamplingParams params = SamplingParams.ofTemperature(1.0, seed);
        int n = group.size();
        int[][] promptTokens = new int[n][];
        List<List<Integer>> generated = new ArrayList<>();
        int[] position = new int[n];
        boolean[] active = new boolean[n];
        int[] row = new int[n];
        DecodeBatch batch = new DecodeBatch(512);
        for (int s = 0; s < n; s++) {
            promptTokens[s] = model.vocabulary().tokenize(group.get(s).text());
            generated.add(new ArrayList<>());
            row[s] = batch.addSequence(s, promptTokens[s], 0, false) + promptTokens[s].length - 1;
            position[s] = promptTokens[s].length;
            active[s] = position[s] < limit;
        }
        context.decode(batch);
        while (true) {
            batch.clear();
            int[] next = new int[n];
            for (int s = 0; s < n; s++) {
                if (!active[s]) {
                    continue;
                }
                float[] logits = context.logits(row[s]);
                double u = SeededUniform.at(seed + group.get(s).id(), position[s], SeededUniform.STREAM_SAMPLE);
                int token = TokenSampler.sample(logits, params, u);
                if (model.vocabulary().isEndOfGeneration(token)) {
                    active[s] = false;
                    continue;
                }
                generated.get(s).add(token);
                next[s] = token;
                if (generated.get(s).size() >= maxTokens || position[s] + 1 >= limit) {
                    active[s] = false;
                }
            }
            for (int s = 0; s < n; s++) {
                if (active[s]) {
                    row[s] = batch.add(next[s], position[s], s, true);
                    position[s]++;
                }
            }
            if (batch.isEmpty()) {
                break;
            }
            context.decode(batch);
        }
        List<String> out = new ArrayList<>();
        for (List<Integer> tokens : generated) {
            out.add(model.vocabulary().detokenize(tokens.stream().mapToInt(Integer::intValue).toArray(), false, false).strip());
        }
        return out;
    }
}
