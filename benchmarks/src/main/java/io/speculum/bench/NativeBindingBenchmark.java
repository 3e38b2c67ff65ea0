package io.speculum.bench;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import io.speculum.llama.ContextOptions;
import io.speculum.llama.DecodeBatch;
import io.speculum.llama.EngineOptions;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.InferenceEngine;
import io.speculum.llama.LlamaLibrary;
import io.speculum.llama.Model;
import io.speculum.llama.SequenceDecode;
import io.speculum.math.TokenSampler;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Greedy tokens/s through our binding (plain context, and through the engine's futures) against java-llama.cpp's
 * {@code generate}, and the time of one decode of k tokens relative to one token. Every variant generates the same
 * number of tokens from the same prompt with end-of-generation ignored; runs alternate and the median is printed.
 */
public final class NativeBindingBenchmark {

    private static final String PROMPT = "Once upon a time, there was a little girl named Lily.";
    private static final int TOKENS = 256;
    private static final int RUNS = 7;
    private static final int[] KS = {1, 2, 4, 8, 16};
    private static final int K_REPEATS = 300;

    public static void main(String[] args) {
        Path models = Path.of(System.getProperty("speculum.shared.dir", "../shared"), "models");
        int cores = Runtime.getRuntime().availableProcessors();
        LlamaLibrary.get();
        // java-llama.cpp's server prints timings to stdout; this table is the output.
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> { });
        System.out.printf("%nSpeculum native binding benchmark: %d tokens greedy, median of %d runs, %d cores%n",
                TOKENS, RUNS, cores);
        for (String file : List.of("stories260K.gguf", "TinyStories-656K-f32.gguf")) {
            Path path = models.resolve(file);
            try (Model model = Model.load(path)) {
                generation(model, path, cores);
                decodeScaling(model, cores);
            }
        }
        // java-llama.cpp leaves a non-daemon native thread behind after LlamaModel.close() (see NATIVE.md).
        System.out.flush();
        System.exit(0);
    }

    private static void generation(Model model, Path path, int cores) {
        int[] prompt = model.vocabulary().tokenize(PROMPT, true, false);
        System.out.printf("%n%s: greedy tokens/s%n", path.getFileName());
        System.out.printf("  %-8s %14s %14s %14s %14s %10s %10s %10s%n", "threads", "java-llama.cpp", "ours",
                "engine", "engine-direct", "ours/jl", "engine/jl", "direct/jl");
        for (int threads : threads(cores)) {
            ContextOptions options = ContextOptions.defaults(512).withThreads(threads);
            double theirs;
            try (LlamaModel reference = new LlamaModel(new ModelParameters().setModel(path.toString())
                    .setCtxSize(512).setThreads(threads).setGpuLayers(0))) {
                theirs = medianSeconds(() -> timeJavaLlama(reference));
            }
            double ours;
            try (InferenceContext context = model.newContext(options)) {
                ours = medianSeconds(() -> timeOurs(context, prompt));
            }
            double engineSeconds;
            try (InferenceEngine engine = new InferenceEngine(model, options, EngineOptions.named("bench"))) {
                engineSeconds = medianSeconds(() -> timeEngine(engine, prompt));
            }
            double directSeconds;
            try (InferenceEngine engine = new InferenceEngine(model, options, EngineOptions.named("bench"), Runnable::run)) {
                directSeconds = medianSeconds(() -> timeEngine(engine, prompt));
            }
            double jl = TOKENS / theirs;
            double us = TOKENS / ours;
            double en = TOKENS / engineSeconds;
            double direct = TOKENS / directSeconds;
            System.out.printf("  %-8d %14.1f %14.1f %14.1f %14.1f %9.2fx %9.2fx %9.2fx%n", threads, jl, us, en, direct,
                    us / jl, en / jl, direct / jl);
        }
    }

    private static void decodeScaling(Model model, int cores) {
        System.out.printf("  one decode of k tokens (logits at every position), time relative to k = 1, %d threads%n",
                cores);
        System.out.printf("  %-22s", "batch invariance");
        for (int k : KS) {
            System.out.printf(" %8s", "k=" + k);
        }
        System.out.printf(" %12s%n", "k=1 (µs)");
        for (boolean invariant : new boolean[] {false, true}) {
            double[] micros = DecodeCost.micros(model, cores, invariant, KS, 32, 20, K_REPEATS);
            System.out.printf("  %-22s", invariant ? "on" : "off");
            for (double m : micros) {
                System.out.printf(" %7.2fx", m / micros[0]);
            }
            System.out.printf(" %12.1f%n", micros[0]);
        }
    }

    /**
     * Two warm-up runs, then the median of {@link #RUNS}. Only the measured variant's model is open: idle OpenMP
     * teams of other contexts spin after each step and would steal the cores (see the closing note of the run).
     */
    private static double medianSeconds(LongSupplier variant) {
        variant.getAsLong();
        variant.getAsLong();
        long[] samples = new long[RUNS];
        for (int run = 0; run < RUNS; run++) {
            samples[run] = variant.getAsLong();
        }
        Arrays.sort(samples);
        return samples[RUNS / 2] / 1e9;
    }

    private static long timeJavaLlama(LlamaModel reference) {
        InferenceParameters parameters = new InferenceParameters(PROMPT).setTemperature(0f).setNPredict(TOKENS)
                .setIgnoreEos(true).setCachePrompt(false).setSeed(42);
        long t0 = System.nanoTime();
        int produced = 0;
        for (LlamaOutput ignored : reference.generate(parameters)) {
            produced++;
        }
        long elapsed = System.nanoTime() - t0;
        // The stream ends with one extra, empty output that carries the stop reason.
        requireCount(produced - 1, "java-llama.cpp");
        return elapsed;
    }

    private static long timeOurs(InferenceContext context, int[] prompt) {
        context.clear();
        long t0 = System.nanoTime();
        DecodeBatch batch = new DecodeBatch();
        batch.addSequence(0, prompt, 0, false);
        context.decode(batch);
        int last = batch.size() - 1;
        int position = prompt.length;
        int produced = 0;
        while (produced < TOKENS) {
            int next = context.logitsView(last).argmax();
            produced++;
            batch.clear();
            last = batch.add(next, position++, 0, true);
            if (produced < TOKENS) {
                context.decode(batch);
            }
        }
        return System.nanoTime() - t0;
    }

    private static long timeEngine(InferenceEngine engine, int[] prompt) {
        engine.submit(c -> {
            c.clear();
            return null;
        }).join();
        long t0 = System.nanoTime();
        float[] logits = engine.decode(SequenceDecode.last(0, prompt, 0)).join().last();
        int position = prompt.length;
        int produced = 0;
        while (produced < TOKENS) {
            int next = TokenSampler.argmax(logits);
            produced++;
            if (produced < TOKENS) {
                logits = engine.decode(SequenceDecode.last(0, new int[] {next}, position++)).join().last();
            }
        }
        return System.nanoTime() - t0;
    }

    private static void requireCount(int produced, String who) {
        if (produced != TOKENS) {
            throw new IllegalStateException(who + " produced " + produced + " tokens, expected " + TOKENS);
        }
    }

    private static int[] threads(int cores) {
        return cores > 1 ? new int[] {1, cores} : new int[] {1};
    }
}
