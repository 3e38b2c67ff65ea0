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

    /**
     * Median microseconds of one decode of {@code n} tokens in each of {@code sequences} sequences that each hold
     * {@code cached} tokens: what a verifier decode of that many sessions costs. llama.cpp's unified KV cache makes
     * every token attend over every used cell, so this costs more than the same number of tokens in one sequence.
     */
    static double spreadMicros(Model model, ContextOptions options, int sequences, int n, int cached, int warmups, int repeats) {
        try (InferenceContext context = model.newContext(options)) {
            int[] prompt = model.vocabulary().tokenize("Once upon a time, there was a little girl named Lily.", true, false);
            int[] history = new int[cached];
            for (int i = 0; i < cached; i++) {
                history[i] = prompt[i % prompt.length];
            }
            for (int s = 0; s < sequences; s++) {
                DecodeBatch prefill = new DecodeBatch();
                prefill.addSequence(s, history, 0, false);
                context.decode(prefill);
            }
            DecodeBatch batch = new DecodeBatch();
            for (int s = 0; s < sequences; s++) {
                for (int i = 0; i < n; i++) {
                    batch.add(100 + i, cached + i, s, true);
                }
            }
            long[] samples = new long[repeats];
            for (int r = -warmups; r < repeats; r++) {
                long t0 = System.nanoTime();
                context.decode(batch);
                long elapsed = System.nanoTime() - t0;
                for (int s = 0; s < sequences; s++) {
                    context.removeRange(s, cached, -1);
                }
                if (r >= 0) {
                    samples[r] = elapsed;
                }
            }
            Arrays.sort(samples);
            return samples[repeats / 2] / 1000.0;
        }
    }
}
