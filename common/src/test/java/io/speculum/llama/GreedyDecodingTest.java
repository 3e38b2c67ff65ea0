package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Greedy decoding through the binding equals java-llama.cpp's {@code complete} at temperature 0. */
class GreedyDecodingTest {

    private static final List<String> PROMPTS = List.of(
            "Once upon a time",
            "Tom and Sue went to the park. They",
            "The little dog was sad because",
            "One day, a girl named Mia found a box. Inside the box");

    @ParameterizedTest
    @ValueSource(strings = {TestModels.STORIES_260K, TestModels.TINYSTORIES_656K})
    void greedyEqualsJavaLlamaCppComplete(String file) {
        int n = 64;
        try (Model model = Model.load(TestModels.model(file));
             JavaLlamaReference reference = new JavaLlamaReference(TestModels.model(file))) {
            for (String prompt : PROMPTS) {
                String expected = reference.completeGreedy(prompt, n);
                String ours;
                try (InferenceContext context = model.newContext(ContextOptions.defaults(512))) {
                    // the server tokenises prompts with BOS and special-token parsing
                    int[] tokens = Greedy.generate(context, model.vocabulary().tokenize(prompt, true, true), n);
                    ours = StreamingDetokenizer.continuation(model.vocabulary()).push(tokens);
                }
                assertThat(expected).as("reference output for %s", prompt).isNotBlank();
                assertThat(ours).as(prompt).isEqualTo(expected);
            }
        }
    }
}
