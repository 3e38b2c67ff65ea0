package io.speculum.verifier;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.DecodeBatch;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.Model;
import io.speculum.math.SamplingParams;
import io.speculum.math.SpeculativeSampling;
import io.speculum.math.TokenSampler;
import java.util.Arrays;

/** The target model alone, one token per decode: the reference speculative output must equal. */
final class TargetOnly {

    private TargetOnly() {
    }

    /** Generates up to {@code n} tokens after {@code prompt}, stopping before an end-of-generation token. */
    static int[] generate(Model model, int[] prompt, int n, SamplingParams sampling) {
        try (InferenceContext context = model.newContext(ContextOptions.defaults(model.metadata().trainingContext())
                .withBatchSize(64).withBatchInvariance(true))) {
            DecodeBatch batch = new DecodeBatch();
            batch.addSequence(0, prompt, 0, false);
            context.decode(batch);
            int row = batch.size() - 1;
            int[] out = new int[n];
            int produced = 0;
            while (produced < n && prompt.length + produced < context.positionLimit()) {
                int position = prompt.length + produced;
                int next = SpeculativeSampling.sampleTarget(TokenSampler.distribution(context.logits(row), sampling), sampling.seed(), position);
                if (model.vocabulary().isEndOfGeneration(next)) {
                    break;
                }
                out[produced++] = next;
                batch.clear();
                row = batch.add(next, position, 0, true);
                context.decode(batch);
            }
            return Arrays.copyOf(out, produced);
        }
    }
}
