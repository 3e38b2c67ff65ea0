package io.speculum.llama;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link NativeLifecycleTest}: uses a model, a context and an engine, closes them, and
 * returns from {@code main} without {@code System.exit}; the JVM must then end by itself.
 */
public final class BindingExitProbe {

    private BindingExitProbe() {
    }

    public static void main(String[] args) {
        try (Model model = Model.load(Path.of(args[0]))) {
            int[] prompt = model.vocabulary().tokenize("Once upon a time", true, false);
            int contextTokens;
            try (InferenceContext context = model.newContext(ContextOptions.defaults(128))) {
                contextTokens = Greedy.generate(context, prompt, 8).length;
            }
            int engineRows;
            try (InferenceEngine engine = new InferenceEngine(model, ContextOptions.defaults(128),
                    EngineOptions.named("probe"))) {
                engineRows = engine.decode(SequenceDecode.last(0, prompt, 0)).join().last().length;
            }
            System.out.println("decoded " + contextTokens + " tokens and a row of " + engineRows);
        }
    }
}
