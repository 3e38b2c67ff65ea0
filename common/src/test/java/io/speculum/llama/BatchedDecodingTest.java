package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exactness speculative decoding rests on: on F32 models, logits of k tokens decoded in one batch are bitwise
 * equal to one-at-a-time decoding (with {@link ContextOptions#batchInvariant()}); a rolled-back KV cache continues
 * exactly like a fresh one; sequences sharing a context do not disturb each other.
 */
class BatchedDecodingTest {

    private static Model model;
    private static int[] prompt;
    private static int[] continuation;

    @BeforeAll
    static void load() {
        model = Model.load(TestModels.model(TestModels.STORIES_260K));
        prompt = model.vocabulary().tokenize("Once upon a time, there was a little girl named Lily.");
        continuation = model.vocabulary().tokenize("She loved to play outside in the sun with her friends.", false, false);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static ContextOptions invariant(int contextSize) {
        return ContextOptions.defaults(contextSize).withBatchInvariance(true);
    }

    /** Logits after each continuation token, decoding one token per call. */
    private static float[][] oneAtATime(InferenceContext context, int sequence, int start) {
        float[][] rows = new float[continuation.length][];
        DecodeBatch batch = new DecodeBatch();
        for (int i = 0; i < continuation.length; i++) {
            batch.clear();
            batch.add(continuation[i], start + i, sequence, true);
            context.decode(batch);
            rows[i] = context.logits(0);
        }
        return rows;
    }

    private static void prefill(InferenceContext context, int sequence) {
        DecodeBatch batch = new DecodeBatch();
        batch.addSequence(sequence, prompt, 0, false);
        context.decode(batch);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8, 13})
    void kTokensInOneDecodeEqualOneAtATimeBitwise(int k) {
        float[][] expected;
        try (InferenceContext context = model.newContext(invariant(256))) {
            prefill(context, 0);
            expected = oneAtATime(context, 0, prompt.length);
        }
        try (InferenceContext context = model.newContext(invariant(256))) {
            prefill(context, 0);
            DecodeBatch batch = new DecodeBatch();
            for (int from = 0; from < continuation.length; from += k) {
                int[] chunk = Arrays.copyOfRange(continuation, from, Math.min(continuation.length, from + k));
                batch.clear();
                batch.addSequence(0, chunk, prompt.length + from, true);
                context.decode(batch);
                for (int i = 0; i < chunk.length; i++) {
                    assertThat(context.logits(i)).as("position %d with k=%d", from + i, k).isEqualTo(expected[from + i]);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 8})
    void withoutBatchInvarianceTheKernelsDifferOnlyByRounding(int k) {
        // Documents the raw llama.cpp behaviour that batch invariance exists for: one-token and multi-token decodes
        // use different CPU kernels. The difference is rounding-sized, never a different computation.
        ContextOptions raw = ContextOptions.defaults(256);
        float[][] expected;
        try (InferenceContext context = model.newContext(raw)) {
            prefill(context, 0);
            expected = oneAtATime(context, 0, prompt.length);
        }
        try (InferenceContext context = model.newContext(raw)) {
            prefill(context, 0);
            DecodeBatch batch = new DecodeBatch();
            int[] chunk = Arrays.copyOf(continuation, k);
            batch.addSequence(0, chunk, prompt.length, true);
            context.decode(batch);
            double maxDifference = 0;
            for (int i = 0; i < k; i++) {
                float[] row = context.logits(i);
                for (int v = 0; v < row.length; v++) {
                    maxDifference = Math.max(maxDifference, Math.abs(row[v] - expected[i][v]));
                }
            }
            System.out.printf("raw kernels, k=%d: max |logit difference| vs one-at-a-time = %.3g%n", k, maxDifference);
            assertThat(maxDifference).isLessThan(1e-2);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 7})
    void rollingBackAndContinuingEqualsAFreshRun(int keep) {
        float[][] fresh;
        try (InferenceContext context = model.newContext(invariant(256))) {
            prefill(context, 0);
            fresh = oneAtATime(context, 0, prompt.length);
        }
        try (InferenceContext context = model.newContext(invariant(256))) {
            prefill(context, 0);
            // decode a wrong draft after `keep` correct tokens, then roll it back
            DecodeBatch batch = new DecodeBatch();
            int[] correct = Arrays.copyOf(continuation, keep);
            if (keep > 0) {
                batch.addSequence(0, correct, prompt.length, true);
                context.decode(batch);
            }
            int[] wrong = model.vocabulary().tokenize("purple elephants danced", false, false);
            batch.clear();
            batch.addSequence(0, wrong, prompt.length + keep, true);
            context.decode(batch);
            assertThat(context.sequenceLength(0)).isEqualTo(prompt.length + keep + wrong.length);
            context.truncate(0, prompt.length + keep);
            assertThat(context.sequenceLength(0)).isEqualTo(prompt.length + keep);
            for (int i = keep; i < continuation.length; i++) {
                batch.clear();
                batch.add(continuation[i], prompt.length + i, 0, true);
                context.decode(batch);
                assertThat(context.logits(0)).as("position %d after rollback to %d", i, keep).isEqualTo(fresh[i]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void sequencesInOneContextEqualSeparateContexts(int sequences) {
        // each sequence gets a different prompt prefix so that a leak between them would show
        String[] prompts = {"Once upon a time", "The cat sat on the mat", "Tom had a red ball", "It was a sunny day"};
        float[][] expected = new float[sequences][];
        for (int s = 0; s < sequences; s++) {
            try (InferenceContext context = model.newContext(invariant(256))) {
                int[] tokens = model.vocabulary().tokenize(prompts[s]);
                DecodeBatch batch = new DecodeBatch();
                batch.addSequence(0, tokens, 0, false);
                context.decode(batch);
                expected[s] = context.logits(tokens.length - 1);
            }
        }
        try (InferenceContext context = model.newContext(invariant(512).withMaxSequences(sequences))) {
            DecodeBatch batch = new DecodeBatch();
            int[] last = new int[sequences];
            for (int s = 0; s < sequences; s++) {
                int[] tokens = model.vocabulary().tokenize(prompts[s]);
                last[s] = batch.addSequence(s, tokens, 0, false) + tokens.length - 1;
            }
            context.decode(batch); // all sequences in one llama_decode
            for (int s = 0; s < sequences; s++) {
                assertThat(context.logits(last[s])).as("sequence %d", s).isEqualTo(expected[s]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1})
    void forkedSequenceContinuesLikeTheOriginal(int fork) {
        try (InferenceContext context = model.newContext(invariant(256).withMaxSequences(2))) {
            prefill(context, 0);
            context.copySequence(0, fork, -1, -1);
            assertThat(context.sequenceLength(fork)).isEqualTo(prompt.length);
            DecodeBatch batch = new DecodeBatch();
            batch.add(continuation[0], prompt.length, 0, true);
            batch.add(continuation[0], prompt.length, fork, true);
            context.decode(batch);
            // The two rows attend over the same cached prompt but sit in different KV cells, so llama.cpp sums in
            // a different lane order: equal up to rounding, not bitwise (measured ~1e-6 on stories260K).
            float[] original = context.logits(0);
            float[] forked = context.logits(1);
            assertThat(context.logitsView(1).argmax()).isEqualTo(context.logitsView(0).argmax());
            for (int v = 0; v < original.length; v++) {
                assertThat(forked[v]).isCloseTo(original[v], org.assertj.core.data.Offset.offset(1e-4f));
            }
            context.keepOnly(fork);
            assertThat(context.sequenceLength(0)).isZero();
            assertThat(context.maxPosition(0)).isEqualTo(-1);
            assertThat(context.sequenceLength(fork)).isEqualTo(prompt.length + 1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {TestModels.STORIES_260K})
    void logitsViewReadsTheSameRowWithoutCopying(String file) {
        try (InferenceContext context = model.newContext(invariant(128))) {
            prefill(context, 0);
            int last = prompt.length - 1;
            LogitsView view = context.logitsView(last);
            float[] copy = context.logits(last);
            assertThat(view.size()).isEqualTo(model.vocabulary().size());
            assertThat(view.toArray()).isEqualTo(copy);
            assertThat(view.get(17)).isEqualTo(copy[17]);
            float[] into = new float[copy.length];
            context.copyLogits(last, into);
            assertThat(into).isEqualTo(copy);
        }
    }
}
