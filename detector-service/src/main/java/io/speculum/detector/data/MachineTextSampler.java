package io.speculum.detector.data;

import io.speculum.generation.SingleSequenceLoop;
import io.speculum.llama.ContextOptions;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.Model;
import io.speculum.math.SamplingParams;
import io.speculum.math.SeededUniform;
import io.speculum.math.TokenSampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
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
            int[] all = Arrays.copyOf(g.prompt(), g.prompt().length + g.continuation().length);
            System.arraycopy(g.continuation(), 0, all, g.prompt().length, g.continuation().length);
            return model.vocabulary().detokenize(all).strip();
        }).toList();
    }

    private record Generated(int[] prompt, int[] continuation) {
    }

    private List<Generated> generate(List<Prompt> prompts) {
        BitSet endTokens = new BitSet();
        for (int t = 0; minTokens > 0 && t < model.vocabulary().size(); t++) {
            if (model.vocabulary().isEndOfGeneration(t)) {
                endTokens.set(t);
            }
        }
        int limit = model.metadata().trainingContext();
        ContextOptions options = new ContextOptions(Math.min(SEQUENCES * limit, 4096), 512, 512, SEQUENCES, threads, threads, false);
        List<Generated> out = new ArrayList<>();
        try (InferenceContext context = model.newContext(options)) {
            for (int from = 0; from < prompts.size(); from += SEQUENCES) {
                List<Continuation> group = prompts.subList(from, Math.min(prompts.size(), from + SEQUENCES)).stream()
                        .map(p -> new Continuation(p, model.vocabulary().tokenize(p.text()), endTokens, limit)).toList();
                SingleSequenceLoop.run(context, group); // the group's prompts decoded together, each on its own sequence
                group.forEach(c -> out.add(new Generated(c.prompt, c.generated.stream().mapToInt(Integer::intValue).toArray())));
            }
        }
        return out;
    }

    /** One prompt's continuation: sampled from its own stream, ended by end of generation, the budget or the context. */
    private final class Continuation implements SingleSequenceLoop.Sequence {

        private final long stream;
        private final int[] prompt;
        private final BitSet endTokens;
        private final int limit;
        private final SamplingParams params = decoding.params(seed);
        private final List<Integer> generated = new ArrayList<>();

        Continuation(Prompt prompt, int[] tokens, BitSet endTokens, int limit) {
            this.stream = seed + prompt.id();
            this.prompt = tokens;
            this.endTokens = endTokens;
            this.limit = limit;
        }

        @Override
        public int[] prompt() {
            return prompt;
        }

        @Override
        public int choose(float[] logits, int position) {
            penalise(logits, prompt, generated);
            if (generated.size() < minTokens) {
                endTokens.stream().forEach(t -> logits[t] = Float.NEGATIVE_INFINITY);
            }
            return TokenSampler.sample(logits, params, SeededUniform.at(stream, position, SeededUniform.STREAM_SAMPLE));
        }

        @Override
        public boolean accept(int token, float[] logits, int position) {
            if (position >= limit || model.vocabulary().isEndOfGeneration(token)) { // a prompt that fills the context gets nothing
                return false;
            }
            generated.add(token);
            return generated.size() < maxTokens && position + 1 < limit;
        }
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
