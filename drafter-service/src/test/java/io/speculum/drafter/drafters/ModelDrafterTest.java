package io.speculum.drafter.drafters;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.EngineOptions;
import io.speculum.llama.InferenceEngine;
import io.speculum.llama.Model;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.GenerationState;
import io.speculum.protocol.SpeculationPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batched drafting: chains of concurrent requests share decodes and draft what they would have drafted alone. */
class ModelDrafterTest {

    private static final Path SHARED = Path.of(System.getProperty("speculum.shared.dir", "../../shared"));
    private static final String[] ANIMALS = {"dog", "cat", "bird", "fish", "frog", "bear", "duck", "mouse", "lion", "owl",
            "bunny", "horse", "pig", "cow", "fox", "bee"};
    private static final int K = 8;

    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(SHARED.resolve("models/stories260K.gguf"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static ModelDrafter drafter() {
        // batch-invariant kernels: a chain's logits do not depend on the chains decoded beside it
        InferenceEngine engine = new InferenceEngine(model, ContextOptions.defaults(256 * 16).withMaxSequences(16).withBatchSize(64)
                .withThreads(1).withBatchInvariance(true), EngineOptions.named("drafter-test"));
        return new ModelDrafter("model", model, engine);
    }

    private static DraftRequest request(int i) {
        int[] prompt = model.vocabulary().tokenize("Once upon a time, there was a little " + ANIMALS[i] + ". It", true, false);
        GenerationState state = new GenerationState("r" + i, 1, "replies", "m", model.vocabulary().fingerprint().toString(),
                prompt.length, prompt, 64, SamplingParams.greedy(), null, SpeculationPolicy.fixed(K), 0, 0);
        return new DraftRequest(state, K, "model", 0);
    }

    @Test
    void sixteenConcurrentChainsCostAboutOneChainsDecodesAndDraftTheSameTokens() {
        List<int[]> alone = new ArrayList<>();
        long aloneSteps;
        try (ModelDrafter drafter = drafter()) {
            for (int i = 0; i < ANIMALS.length; i++) {
                alone.add(drafter.propose(request(i)).join().tokens());
            }
            aloneSteps = drafter.decodeSteps();
        }
        try (ModelDrafter drafter = drafter()) {
            List<CompletableFuture<Draft>> futures = IntStream.range(0, ANIMALS.length).mapToObj(i -> drafter.propose(request(i))).toList();
            for (int i = 0; i < ANIMALS.length; i++) {
                Draft draft = futures.get(i).join();
                assertThat(draft.tokens()).as("request %d", i).hasSize(K).containsExactly(alone.get(i));
                assertThat(draft.startedMicros()).isPositive();
            }
            assertThat(aloneSteps).as("one at a time: a prefill and K - 1 decodes each").isEqualTo((long) ANIMALS.length * K);
            assertThat(drafter.chainsDrafted()).isEqualTo(ANIMALS.length);
            assertThat(drafter.decodeSteps()).as("together: about one chain's decodes").isLessThanOrEqualTo(2L * K);
            // the next round continues from what each sequence cached: only the new tokens are decoded
            long before = drafter.decodeSteps();
            DraftRequest next = request(0);
            int[] tokens = next.state().tokens();
            int[] longer = java.util.Arrays.copyOf(tokens, tokens.length + 2);
            longer[tokens.length] = alone.getFirst()[0];
            longer[tokens.length + 1] = alone.getFirst()[1];
            drafter.propose(new DraftRequest(next.state().at(2, longer), K, "model", 0)).join();
            assertThat(drafter.decodeSteps() - before).isEqualTo(K);
            drafter.release("r0").join();
            assertThat(drafter.cachedRequests().join()).isEqualTo(ANIMALS.length - 1);
        }
    }
}
