package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Contexts decoding at the same time on different threads, each with two compute threads, must give what one
 * context alone gives: the standalone process runs a drafter's and a verifier's context side by side.
 */
class ConcurrentContextsTest {

    private static int[] generate(Model model, int[] prompt, int n) {
        try (InferenceContext context = model.newContext(ContextOptions.defaults(256).withBatchSize(64).withThreads(2))) {
            return Greedy.generate(context, prompt, n);
        }
    }

    @Test
    void decodesAreSerialisedAcrossContextsByDefault() {
        // Without the lock the test below fails in 3 of 3 runs on b4916's CPU backend; with it, 0 of 3.
        assertThat(NativeDecodeLock.concurrentDecodes()).isFalse();
    }

    @Test
    void concurrentDecodesOnSeparateContextsEqualADecodeAlone() throws Exception {
        try (Model model = Model.load(TestModels.model(TestModels.STORIES_260K))) {
            int[] prompt = model.vocabulary().tokenize(
                    "Once upon a time, in a big forest, there lived a rhinoceros named Roxy.", true, false);
            int[] alone = generate(model, prompt, 96);
            assertThat(alone).hasSizeGreaterThan(20);
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                for (int round = 0; round < 3; round++) {
                    List<Future<int[]>> runs = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        runs.add(pool.submit(() -> generate(model, prompt, 96)));
                    }
                    for (Future<int[]> run : runs) {
                        assertThat(run.get()).isEqualTo(alone);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
