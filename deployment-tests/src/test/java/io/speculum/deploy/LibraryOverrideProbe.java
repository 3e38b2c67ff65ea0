package io.speculum.deploy;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.DecodeBatch;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.LlamaLibrary;
import io.speculum.llama.Model;
import java.nio.file.Path;

/**
 * Run in its own JVM by {@link LibraryOverrideTest}, configured as an image configures a service: prints which
 * llama library it opened, its build, and the greedy next token of a prompt.
 */
public final class LibraryOverrideProbe {

    private LibraryOverrideProbe() {
    }

    public static void main(String[] args) {
        LlamaLibrary library = LlamaLibrary.get();
        try (Model model = Model.load(Path.of(args[0]));
             InferenceContext context = model.newContext(ContextOptions.defaults(64))) {
            int[] prompt = model.vocabulary().tokenize("Once upon a time", true, false);
            DecodeBatch batch = new DecodeBatch();
            batch.addSequence(0, prompt, 0, false);
            context.decode(batch);
            int next = context.logitsView(batch.size() - 1).argmax();
            System.out.println("library=" + library.path());
            System.out.println("build=" + library.buildNumber());
            System.out.println("next=" + next);
        }
    }
}
