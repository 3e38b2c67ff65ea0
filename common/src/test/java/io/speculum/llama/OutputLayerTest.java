package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hidden-state context stops before the output layer, and {@link OutputLayer} turns its rows into the model's own
 * logits (to float rounding), for every test model whose output layer is F32.
 */
class OutputLayerTest {

    private static int[] probe(Model model) {
        return model.vocabulary().tokenize("Once upon a time, there was a little girl named Lily. She loved to play outside.");
    }

    @ParameterizedTest
    @ValueSource(strings = {TestModels.STORIES_260K, TestModels.TINYSTORIES_656K, TestModels.BABYLLAMA})
    void projectedHiddenStatesAreTheModelsLogits(String file) {
        try (Model model = Model.load(TestModels.model(file))) {
            OutputLayer.Loaded loaded = OutputLayer.load(model);
            assertThat(loaded.present()).as(loaded.unavailable()).isTrue();
            OutputLayer layer = loaded.layer();
            assertThat(layer.vocabulary()).isEqualTo(model.vocabulary().size());
            assertThat(layer.hidden()).isEqualTo(model.metadata().embeddingSize());
            double difference = layer.maxDifference(model, probe(model), 1);
            assertThat(difference).isLessThan(1e-4);
        }
    }

    @Test
    void anOutputLayerOtherThanF32IsNotComputedHere() {
        try (Model model = Model.load(TestModels.model(TestModels.LLAMA2_RANDOM))) { // output.weight is F16
            OutputLayer.Loaded loaded = OutputLayer.load(model);
            assertThat(loaded.present()).isFalse();
            assertThat(loaded.unavailable()).contains("output.weight", "not F32");
        }
    }

    @Test
    void aModelOffloadedToAGpuKeepsLlamaCppsOutputLayer() {
        // on a CPU build the offload request is accepted and ignored; the layer is still left to llama.cpp
        try (Model model = Model.load(new ModelOptions(TestModels.model(TestModels.STORIES_260K), -1, true, false))) {
            OutputLayer.Loaded loaded = OutputLayer.load(model);
            assertThat(loaded.present()).isFalse();
            assertThat(loaded.unavailable()).contains("GPU");
        }
    }

    @Test
    void projectsAnyGroupingOfRowsAlike() {
        try (Model model = Model.load(TestModels.model(TestModels.TINYSTORIES_656K))) {
            OutputLayer layer = OutputLayer.load(model).layer();
            int rows = 7; // one group of four and three single rows
            float[] states = new float[rows * layer.hidden()];
            java.util.Random random = new java.util.Random(3);
            for (int i = 0; i < states.length; i++) {
                states[i] = (float) random.nextGaussian();
            }
            float[][] together = new float[rows][layer.vocabulary()];
            layer.project(states, 0, rows, together);
            for (int r = 0; r < rows; r++) {
                float[][] alone = new float[1][layer.vocabulary()];
                layer.project(states, r, 1, alone);
                assertThat(alone[0]).as("row %d", r).containsExactly(together[r]);
            }
        }
    }

    @Test
    void aHiddenStateContextHasNoLogits() {
        try (Model model = Model.load(TestModels.model(TestModels.STORIES_260K))) {
            int[] tokens = probe(model);
            try (InferenceContext context = model.newHiddenStateContext(ContextOptions.defaults(64).withThreads(1))) {
                DecodeBatch batch = new DecodeBatch();
                batch.addSequence(0, tokens, 0, true);
                context.decode(batch);
                assertThat(context.hiddenStates()).isTrue();
                float[] state = new float[context.hiddenSize()];
                context.copyHiddenState(tokens.length - 1, state, 0);
                assertThat(state).isNotEqualTo(new float[state.length]);
                assertThatThrownBy(() -> context.copyLogits(0, new float[model.vocabulary().size()]))
                        .isInstanceOf(LlamaException.class).hasMessageContaining("hidden states");
            }
            try (InferenceContext context = model.newContext(ContextOptions.defaults(64).withThreads(1))) {
                DecodeBatch batch = new DecodeBatch();
                batch.addSequence(0, tokens, 0, true);
                context.decode(batch);
                assertThatThrownBy(() -> context.copyHiddenState(0, new float[context.hiddenSize()], 0))
                        .isInstanceOf(LlamaException.class).hasMessageContaining("newHiddenStateContext");
            }
        }
    }
}
