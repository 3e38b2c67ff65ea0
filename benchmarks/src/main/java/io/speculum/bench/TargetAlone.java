package io.speculum.bench;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.DecodeBatch;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.Model;
import java.util.Arrays;

/**
 * The target alone, as fast as it goes: one context driven by the calling thread, one token per decode, greedy,
 * batch invariance off (plain llama.cpp kernels). The baseline every speculative variant is divided by.
 */
final class TargetAlone implements AutoCloseable {

    private final Model model;
    private final InferenceContext context;

    TargetAlone(Model model, int threads) {
        this(model, threads, ContextOptions.defaults(BenchModels.SEQUENCE_CONTEXT).withThreads(threads));
    }

    /** The target alone in a context of its own configuration (batch-invariant, deterministic). */
    TargetAlone(Model model, int threads, ContextOptions options) {
        this.model = model;
        this.context = model.newContext(options.withThreads(threads));
    }

    Generation generate(String id, String prompt, int maxTokens) {
        long started = System.nanoTime();
        context.clear();
        int[] promptTokens = model.vocabulary().tokenize(prompt, true, false);
        DecodeBatch batch = new DecodeBatch();
        batch.addSequence(0, promptTokens, 0, false);
        context.decode(batch);
        int row = batch.size() - 1;
        int position = promptTokens.length;
        int[] out = new int[maxTokens];
        int produced = 0;
        double prefill = 0;
        while (produced < maxTokens) {
            int next = context.logitsView(row).argmax();
            if (model.vocabulary().isEndOfGeneration(next)) {
                break;
            }
            out[produced++] = next;
            if (produced == 1) {
                prefill = (System.nanoTime() - started) / 1e9;
            }
            if (produced == maxTokens) {
                break;
            }
            batch.clear();
            row = batch.add(next, position++, 0, true);
            context.decode(batch);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        int[] tokens = Arrays.copyOf(out, produced);
        return new Generation(id, produced, tokens, model.vocabulary().detokenize(tokens), seconds, 0, 0, 0, new double[0], java.util.List.of(), new double[0],
                prefill);
    }

    @Override
    public void close() {
        context.close();
    }
}
