package io.speculum.bench;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import java.nio.file.Path;

/**
 * java-llama.cpp's built-in draft-model speculation ({@code ModelParameters.setModelDraft}): llama.cpp's server
 * loop with the same target and drafter files, the same chain length and the same p_min as ours. It needs
 * {@code setCachePrompt(true)} (NATIVE.md); it reports no acceptance figures.
 */
final class JavaLlamaSpeculation implements AutoCloseable {

    private final LlamaModel model;

    JavaLlamaSpeculation(Path target, Path drafter, int k, float minProbability, int threads) {
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> { }); // its server prints timings to stdout
        model = new LlamaModel(new ModelParameters().setModel(target.toString()).setModelDraft(drafter.toString())
                .setCtxSize(BenchModels.SEQUENCE_CONTEXT).setCtxSizeDraft(BenchModels.SEQUENCE_CONTEXT)
                .setThreads(threads).setGpuLayers(0).setGpuLayersDraft(0)
                .setDraftMax(k).setDraftMin(0).setDraftPMin(minProbability));
    }

    /**
     * Greedy generation. Its stream sends one output per token and a last one carrying only the stop reason; the
     * benchmark checks that count against ours wherever the texts are equal.
     */
    Generation generate(String id, String prompt, int maxTokens) {
        InferenceParameters parameters = new InferenceParameters(prompt).setTemperature(0f).setNPredict(maxTokens)
                .setCachePrompt(true).setSeed(42);
        long started = System.nanoTime();
        StringBuilder text = new StringBuilder();
        int outputs = 0;
        for (LlamaOutput output : model.generate(parameters)) {
            text.append(output.text);
            outputs++;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return Generation.ofText(id, Math.max(0, outputs - 1), text.toString(), seconds);
    }

    @Override
    public void close() {
        model.close();
    }
}
