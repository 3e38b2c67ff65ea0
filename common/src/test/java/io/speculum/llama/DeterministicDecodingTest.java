package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Deterministic mode ({@link ContextOptions#deterministic()}): the logits of one sequence are bitwise the same under
 * any grouping of its history into decodes, whatever other sequences share the decodes and the cache, wherever its
 * cells land (another slot, cells freed by other sessions, a rebuilt cache), after rolled-back drafts and when it
 * continues on a forked sequence that shares its prefix (a tree branch).
 */
class DeterministicDecodingTest {

    private static final int CONTINUATION = 24;

    private static Model model;
    private static int[] prompt;
    private static int[] continuation;
    private static float[][] reference;

    @BeforeContainer
    static void load() {
        model = Model.load(TestModels.model(TestModels.STORIES_260K));
        prompt = model.vocabulary().tokenize("Once upon a time, there was a little girl named Lily. She loved to play");
        try (InferenceContext context = model.newContext(options(512, 1))) {
            continuation = Greedy.generate(context, prompt, CONTINUATION);
        }
        assertThat(continuation).hasSize(CONTINUATION);
        reference = DecodeSchedule.alone(model, options(512, 1), prompt, continuation);
    }

    @AfterContainer
    static void close() {
        model.close();
    }

    static ContextOptions options(int contextSize, int sequences) {
        return ContextOptions.defaults(contextSize).withMaxSequences(sequences).withDeterminism(true);
    }

    @Property(tries = 60, seed = "20261206")
    void logitsAreBitwiseTheSameUnderAnySchedule(@ForAll long seed) {
        // 256 cells for 5 sequences: the other sequences fill the cache, so many schedules rebuild it
        try (InferenceContext context = model.newContext(options(256, 5))) {
            DecodeSchedule schedule = new DecodeSchedule(context, new Random(seed), prompt, continuation);
            float[][] rows = schedule.run();
            for (int i = 0; i < CONTINUATION; i++) {
                assertThat(rows[i]).as("position %d, schedule %s", i, schedule.describe()).isEqualTo(reference[i]);
            }
            Statistics.collect(context.compactions() > 0 ? "rebuilt" : "not rebuilt");
        }
        Statistics.coverage(checker -> checker.check("rebuilt").percentage(p -> p >= 30));
    }

    @Property(tries = 1)
    void theFastModeIsNotPlacementInvariant() {
        // the control: the same schedules with batch invariance only (the fast mode) give logits that differ in the
        // last bits somewhere; this is what deterministic mode exists for, and what would have caught the flip
        ContextOptions fast = ContextOptions.defaults(256).withBatchInvariance(true);
        float[][] fastReference = DecodeSchedule.alone(model, fast, prompt, continuation);
        int differing = 0;
        for (int run = 0; run < 3; run++) {
            try (InferenceContext context = model.newContext(fast.withMaxSequences(5))) {
                float[][] rows = new DecodeSchedule(context, new Random(20261206L + run), prompt, continuation).run();
                for (int i = 0; i < CONTINUATION; i++) {
                    differing += Arrays.equals(rows[i], fastReference[i]) ? 0 : 1;
                }
            }
        }
        assertThat(differing).as("rows of the fast mode that differ from its one-sequence run").isPositive();
    }

    @Property(tries = 1)
    void anotherThreadCountGivesTheSameBits() {
        // a replica with another thread count: llama.cpp splits work by rows, each row summed by one thread
        int threads = Runtime.getRuntime().availableProcessors() == 1 ? 2 : 1;
        float[][] rows = DecodeSchedule.alone(model, options(512, 1).withThreads(threads), prompt, continuation);
        for (int i = 0; i < CONTINUATION; i++) {
            assertThat(rows[i]).as("position %d with %d thread(s)", i, threads).isEqualTo(reference[i]);
        }
    }

    @Property(tries = 1)
    void aDeterministicContextRefusesWhatWouldLeaveAGap() {
        try (InferenceContext context = model.newContext(options(256, 2))) {
            DecodeBatch batch = new DecodeBatch();
            batch.addSequence(0, prompt, 0, false);
            context.decode(batch);
            batch.clear();
            batch.add(continuation[0], prompt.length + 3, 0, true);
            assertThatThrownBy(() -> context.decode(batch)).isInstanceOf(LlamaException.class)
                    .hasMessageContaining("expects position " + prompt.length);
            assertThatThrownBy(() -> context.removeRange(0, 2, 4)).isInstanceOf(LlamaException.class)
                    .hasMessageContaining("only the tail");
            assertThat(context.removeRange(0, 5, 3)).as("an empty range").isTrue();
            assertThatThrownBy(() -> context.copySequence(0, 1, 3, -1)).isInstanceOf(LlamaException.class)
                    .hasMessageContaining("gap");
            assertThat(context.deterministic()).isTrue();
            assertThat(context.sequenceLength(0)).isEqualTo(prompt.length);
        }
    }
}
