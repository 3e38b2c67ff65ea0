package io.speculum.llama;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import java.nio.file.Path;

/**
 * java-llama.cpp's high-level API, the independent reference our binding is checked against. It opens the same
 * library file as the binding (our loader points {@code de.kherud.llama.lib.path} at it), so the binding is loaded
 * first.
 */
final class JavaLlamaReference implements AutoCloseable {

    private final LlamaModel model;

    JavaLlamaReference(Path modelFile) {
        LlamaLibrary.get();
        model = new LlamaModel(new ModelParameters()
                .setModel(modelFile.toString())
                .setCtxSize(512)
                .setThreads(2)
                .setGpuLayers(0));
    }

    /** Token ids as java-llama.cpp's encode gives them (no BOS). */
    int[] encode(String text) {
        return model.encode(text);
    }

    /** Greedy completion of {@code prompt} with the prompt cache off. */
    String completeGreedy(String prompt, int tokens) {
        return model.complete(new InferenceParameters(prompt)
                .setTemperature(0f)
                .setNPredict(tokens)
                .setCachePrompt(false)
                .setSeed(42));
    }

    @Override
    public void close() {
        model.close();
    }
}
