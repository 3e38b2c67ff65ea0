package io.speculum.bench;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.DecodeBatch;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.Model;
import java.util.Arrays;

/** The time of one decode of k tokens with logits at every position, after a prompt: what verifying k tokens costs. */
final class DecodeCost {

    private DecodeCost() {
    }

    /** Median microseconds per decode, for each k, after two unmeasured decodes per k. */
    static double[] micros(Model model, int threads, boolean batchInvariant, int[] ks, int repeats) {
        int largest = Arrays.stream(ks).max().orElse(1);
        return micros(model, threads, batchInvariant, ks, Math.max(64, largest), 2, repeats);
    }

    /** Median microseconds per decode, for each k, in a context of {@code batchSize}, after {@code warmups} decodes per k. */
    static double[] micros(Model model, int threads, boolean batchInvariant, int[] ks, int batchSize, int warmups, int repeats) {
        return micros(model, ContextOptions.defaults(BenchModels.SEQUENCE_CONTEXT).withBatchSize(batchSize).withThreads(threads)
                .withBatchInvariance(batchInvariant), ks, warmups, repeats);
    }

    /** Median microseconds per decode, for each k, in a context of {@code options}, after {@code warmups} decodes per k. */
    static double[] micros(Model model, ContextOptions options, int[] ks, int warmups, int repeats) {
        return micros(model, options, model.vocabulary().tokenize("Once upon a time, there was a little girl named Lily.", true, false),
                ks, warmups, repeats);
    }

    /** The same after {@code prompt} (its length is the context every measured decode attends to). */
    static double[] micros(Model model, ContextOptions options, int[] prompt, int[] ks, int warmups, int repeats) {
        try (InferenceContext context = model.newContext(options)) {
            DecodeBatch prefill = new DecodeBatch();
            prefill.addSequence(0, prompt, 0, false);
            context.decode(prefill);
            double[] micros = new double[ks.length];
            for (int i = 0; i < ks.length; i++) {
                micros[i] = median(context, prompt.length, ks[i], warmups, repeats);
            }
            return micros;
        }
    }

    private static double median(InferenceContext context, int start, int k, int warmups, int repeats) {
        DecodeBatch batch = new DecodeBatch();
        for (int i = 0; i < k; i++) {
            batch.add(100 + i, start + i, 0, true);
        }
        long[] samples = new long[repeats];
        for (int r = -warmups; r < repeats; r++) {
            long t0 = System.nanoTime();
            context.decode(batch);
            long elapsed = System.nanoTime() - t0;
            context.removeRange(0, start, -1);
            if (r >= 0) {
                samples[r] = elapsed;
            }
        }
        Arrays.sort(samples);
        return samples[repeats / 2] / 1000.0;
    }
}
