package io.speculum.bench;

import io.speculum.drafter.drafters.Drafter;
import io.speculum.drafter.drafters.ModelDrafter;
import io.speculum.llama.ContextOptions;
import io.speculum.llama.DrafterDerivation;
import io.speculum.llama.DrafterDeriver;
import io.speculum.llama.EngineOptions;
import io.speculum.llama.InferenceEngine;
import io.speculum.llama.Model;
import io.speculum.llama.WeightFormat;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The models a benchmark run uses: stories260K and copies derived from it at start into the run's work directory
 * (each derived and loaded once). Closes what it loaded.
 */
final class BenchModels implements AutoCloseable {

    /** Positions one request may hold in a drafter's or verifier's KV cache. */
    static final int SEQUENCE_CONTEXT = 512;

    private final Path stories;
    private final Path work;
    private final Model target;
    private final Map<String, Path> files = new LinkedHashMap<>();
    private final Map<String, Model> loaded = new LinkedHashMap<>();

    BenchModels(Path stories, Path work) {
        this.stories = stories;
        this.work = work;
        this.target = Model.load(stories);
    }

    /** stories260K itself. */
    Model stories() {
        return target;
    }

    /** stories260K's vocabulary fingerprint (every drafter here shares it). */
    String vocabulary() {
        return target.vocabulary().fingerprint().toString();
    }

    Path storiesFile() {
        return stories;
    }

    /** The file of a copy of stories260K in {@code format} keeping its first {@code keepBlocks} blocks (0: all). */
    synchronized Path derivedFile(WeightFormat format, int keepBlocks) {
        String key = format + "-" + keepBlocks;
        return files.computeIfAbsent(key, k -> new DrafterDeriver()
                .derive(new DrafterDerivation(stories, work.resolve("stories260K-" + k + ".gguf"), format, keepBlocks)).file());
    }

    /** That copy, loaded (once). */
    synchronized Model derived(WeightFormat format, int keepBlocks) {
        Path file = derivedFile(format, keepBlocks);
        return loaded.computeIfAbsent(file.toString(), f -> Model.load(file));
    }

    /** A model drafter with its own one-thread engine and KV room for {@code sequences} requests; closing it closes the engine. */
    Drafter modelDrafter(String name, Model model, int sequences) {
        ContextOptions options = ContextOptions.defaults(SEQUENCE_CONTEXT * sequences).withMaxSequences(sequences)
                .withBatchSize(64).withThreads(1);
        return new ModelDrafter(name, model, new InferenceEngine(model, options, EngineOptions.named("bench-drafter-" + name)));
    }

    @Override
    public void close() {
        loaded.values().forEach(Model::close);
        target.close();
    }
}
