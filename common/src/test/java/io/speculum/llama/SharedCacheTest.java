package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

/**
 * A KV cache shared by sessions that keep rolling drafts back: every round writes a chain per session and keeps only
 * a few of its cells, which leaves holes everywhere. A decode needs a contiguous run of free cells, so such a cache
 * must be compacted (llama.cpp's defragmentation, on demand) or it reports itself full while mostly empty.
 */
class SharedCacheTest {

    @Test
    void rollingBackChainsInASharedCacheNeverExhaustsIt() {
        int sequences = 4;
        int chain = 9;
        try (Model model = Model.load(TestModels.model(TestModels.STORIES_260K));
             InferenceContext context = model.newContext(ContextOptions.defaults(512 * sequences)
                     .withMaxSequences(sequences).withBatchSize(64))) {
            int[] length = new int[sequences];
            DecodeBatch batch = new DecodeBatch();
            // ~250 rounds of 36 written cells (9 times the cache) with at most 512 * 4 / 2 cells ever in use
            assertThatCode(() -> {
                for (int round = 0; length[0] + chain < 500; round++) {
                    batch.clear();
                    for (int s = 0; s < sequences; s++) {
                        for (int i = 0; i < chain; i++) {
                            batch.add(1 + (round * 7 + s * 3 + i) % 500, length[s] + i, s, true);
                        }
                    }
                    context.decode(batch);
                    for (int s = 0; s < sequences; s++) {
                        length[s] += 2; // one accepted draft token and the correction survive
                        context.removeRange(s, length[s], -1);
                    }
                }
            }).doesNotThrowAnyException();
            assertThat(context.compactions()).as("the cache needed compacting").isPositive();
            assertThat(context.usedCells()).isEqualTo(sequences * length[0]);
        }
    }
}
