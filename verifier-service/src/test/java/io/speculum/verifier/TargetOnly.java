package io.speculum.verifier;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.DecodeBatch;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.Model;
import io.speculum.math.SamplingParams;
import io.speculum.math.SpeculativeSampling;
import io.speculum.math.TokenSampler;
import io.speculum.generation.TokenLogprobs;
import io.speculum.math.Penalties;
import io.speculum.protocol.GenerationEvent.TokenLogprob;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The target model alone, one token per decode: the reference speculative output must equal. */
final class TargetOnly {

    private TargetOnly() {
    }

    /** Generates up to {@code n} tokens after {@code prompt}, stopping before an end-of-generation token. */
    static int[] generate(Model model, int[] prompt, int n, SamplingParams sampling) {
        return run(model, prompt, n, sampling, Penalties.NONE, 0).tokens();
    }

    /**
     * @param tokens         the completion, without the end-of-generation token
     * @param logprobs       each completion token's log-probability with {@code top} alternatives
     * @param promptLogprobs each prompt token's after the first
     */
    record Run(int[] tokens, List<TokenLogprob> logprobs, List<TokenLogprob> promptLogprobs) {
    }

    /** {@link #generate} with penalties, reporting what the logits say about every token. */
    static Run run(Model model, int[] prompt, int n, SamplingParams sampling, Penalties penalties, int top) {
        return run(model, prompt, n, sampling, penalties, top, false);
    }

    /** {@link #run}, in a deterministic context (the reference for a deterministic verifier) or a batch-invariant one. */
    static Run run(Model model, int[] prompt, int n, SamplingParams sampling, Penalties penalties, int top, boolean deterministic) {
        try (InferenceContext context = model.newContext(ContextOptions.defaults(model.metadata().trainingContext())
                .withBatchSize(64).withBatchInvariance(true).withDeterminism(deterministic))) {
            DecodeBatch batch = new DecodeBatch();
            batch.addSequence(0, prompt, 0, true);
            context.decode(batch);
            List<TokenLogprob> promptLogprobs = new ArrayList<>();
            for (int i = 1; i < prompt.length; i++) {
                promptLogprobs.add(TokenLogprobs.of(model.vocabulary(), prompt[i], context.logits(i - 1), top));
            }
            int row = batch.size() - 1;
            int[] out = Arrays.copyOf(prompt, prompt.length + n);
            List<TokenLogprob> logprobs = new ArrayList<>();
            int produced = 0;
            while (produced < n && prompt.length + produced < context.positionLimit()) {
                int position = prompt.length + produced;
                float[] logits = context.logits(row);
                float[] processed = penalties.apply(logits, out, position, prompt.length);
                int next = SpeculativeSampling.sampleTarget(TokenSampler.distribution(processed, sampling), sampling.seed(), position);
                if (model.vocabulary().isEndOfGeneration(next)) {
                    break;
                }
                logprobs.add(TokenLogprobs.of(model.vocabulary(), next, logits, top));
                out[position] = next;
                produced++;
                batch.clear();
                row = batch.add(next, position, 0, true);
                context.decode(batch);
            }
            return new Run(Arrays.copyOfRange(out, prompt.length, prompt.length + produced), logprobs, promptLogprobs);
        }
    }
}
