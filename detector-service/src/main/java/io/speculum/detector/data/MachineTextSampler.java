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
 * Samples continuations of prompts from a model through the binding with a {@link Decoding} (temperature 1 and no
 * truncation unless told), up to {@code maxTokens} tokens or end of generation, several prompts decoded together. Each prompt draws from its own
 * seeded stream ({@link SeededUniform} keyed by seed + prompt id and position), so a sample does not depend on which
 * prompts share its batch.
 */
public final class MachineTextSampler {

    private static final int SEQUENCES = 8;

    private final Model model;
    private final Decoding decoding;
    private final int minTokens;
    private final int maxTokens;
    private final long seed;
    private final int threads;

    public MachineTextSampler(Model model, int maxTokens, long seed, int threads) {
        this(model, Decoding.PURE, maxTokens, seed, threads);
    }

    public MachineTextSampler(Model model, Decoding decoding, int maxTokens, long seed, int threads) {
        this(model, decoding, 0, maxTokens, seed, threads);
    }

    /**
     * @param minTokens end-of-generation tokens are ruled out until this many tokens were generated (as
     *                  {@code min_new_tokens} does): TinyStories-656K often ends a story right after its first
     *                  sentence, which would leave nothing to detect
     */
    public MachineTextSampler(Model model, Decoding decoding, int minTokens, int maxTokens, long seed, int threads) {
        this.model = model;
        this.decoding = decoding;
        this.minTokens = minTokens;
        this.maxTokens = maxTokens;
        this.seed = seed;
        this.threads = threads;
    }

    /** A prompt to continue; {@code id} keys its random stream. */
    public record Prompt(int id, String text) {
    }

    /** The sampled continuation (prompt excluded) of each prompt, in order. */
    public List<String> sample(List<Prompt> prompts) {
        return generate(prompts).stream()
                .map(g -> model.vocabulary().detokenize(g.continuation(), false, false).strip()).toList();
    }

    /**
     * Each prompt followed by its continuation, detokenised together: a prompt cut inside a word reads on as the
     * model continued it, as a user's text would.
     */
    public List<String> complete(List<Prompt> prompts) {
        return generate(prompts).stream().map(g -> {
            int[] all = java.util.Arrays.copyOf(g.prompt(), g.prompt().length + g.continuation().length);
            System.arraycopy(g.continuation(), 0, all, g.prompt().length, g.continuation().length);
            return model.vocabulary().detokenize(all).strip();
        }).toList();
    }

    private java.util.BitSet endTokens;

    private record Generated(int[] prompt, int[] continuation) {
    }

    private List<Generated> generate(List<Prompt> prompts) {
        List<Generated> out = new ArrayList<>();
        endTokens = new java.util.BitSet();
        for (int t = 0; minTokens > 0 && t < model.vocabulary().size(); t++) {
            if (model.vocabulary().isEndOfGeneration(t)) {
                endTokens.set(t);
            }
        }
        int limit = model.metadata().trainingContext();
        ContextOptions options = new ContextOptions(Math.min(SEQUENCES * limit, 4096), 512, 512, SEQUENCES, threads, threads, false);
        try (InferenceContext context = model.newContext(options)) {
            for (int from = 0; from < prompts.size(); from += SEQUENCES) {
                out.addAll(sampleGroup(context, prompts.subList(from, Math.min(prompts.size(), from + SEQUENCES)), limit));
            }
        }
        return out;
    }

    private List<Generated> sampleGroup(InferenceContext context, List<Prompt> group, int limit) {
        context.clear();
        SamplingParams params = decoding.params(seed);
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
                penalise(logits, promptTokens[s], generated.get(s));
                if (generated.get(s).size() < minTokens) {
                    endTokens.stream().forEach(t -> logits[t] = Float.NEGATIVE_INFINITY);
                }
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
        List<Generated> out = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            out.add(new Generated(promptTokens[s], generated.get(s).stream().mapToInt(Integer::intValue).toArray()));
        }
        return out;
    }

    /** The decoding's repetition penalty over the prompt and what was generated so far (BOS excluded). */
    private void penalise(float[] logits, int[] prompt, List<Integer> generated) {
        if (decoding.repetitionPenalty() == 1) {
            return;
        }
        int[] history = new int[prompt.length - 1 + generated.size()];
        System.arraycopy(prompt, 1, history, 0, prompt.length - 1);
        for (int i = 0; i < generated.size(); i++) {
            history[prompt.length - 1 + i] = generated.get(i);
        }
        decoding.penalise(logits, history, 0, history.length);
    }
}
