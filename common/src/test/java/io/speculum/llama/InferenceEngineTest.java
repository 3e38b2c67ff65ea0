package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InferenceEngineTest {

    private static final String[] PROMPTS = {
        "Once upon a time", "The cat sat on the mat", "Tom had a red ball", "It was a sunny day"};

    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(TestModels.model(TestModels.STORIES_260K));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static ContextOptions options(int sequences) {
        return ContextOptions.defaults(512).withMaxSequences(sequences).withBatchInvariance(true);
    }

    /** Greedy generation through the engine, one decode per step. */
    private static int[] generate(InferenceEngine engine, int sequence, int[] prompt, int n) {
        float[] logits = engine.decode(SequenceDecode.last(sequence, prompt, 0)).join().last();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = argmax(logits);
            logits = engine.decode(SequenceDecode.last(sequence, new int[] {out[i]}, prompt.length + i)).join().last();
        }
        return out;
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void aTreeDecodeGivesEachBranchTheLogitsOfItsOwnChain() {
        int[] prompt = model.vocabulary().tokenize("Once upon a time, there was a little");
        int[] a = model.vocabulary().tokenize(" girl named", false, false);
        int[] b = model.vocabulary().tokenize(" dog", false, false);
        int n = prompt.length;
        try (InferenceEngine engine = new InferenceEngine(model, options(2), EngineOptions.named("tree"))) {
            engine.decode(SequenceDecode.last(0, Arrays.copyOf(prompt, n - 1), 0)).join();
            // root (the last prompt token) shared by both branches; branch 0 continues with a, branch 1 with b
            int[] tokens = new int[1 + a.length + b.length];
            int[] depths = new int[tokens.length];
            int[][] branches = new int[tokens.length][];
            tokens[0] = prompt[n - 1];
            branches[0] = new int[] {0, 1};
            for (int i = 0; i < a.length; i++) {
                tokens[1 + i] = a[i];
                depths[1 + i] = 1 + i;
                branches[1 + i] = new int[] {0};
            }
            for (int i = 0; i < b.length; i++) {
                tokens[1 + a.length + i] = b[i];
                depths[1 + a.length + i] = 1 + i;
                branches[1 + a.length + i] = new int[] {1};
            }
            SequenceLogits tree = engine.decode(SequenceDecode.tree(0, tokens, n - 1, depths, branches)).join();
            float[][] chainA = chainLogits(concat(prompt, a));
            float[][] chainB = chainLogits(concat(prompt, b));
            assertThat(tree.at(0)).as("root").containsExactly(chainA[n - 1]);
            for (int i = 0; i < a.length; i++) {
                assertThat(tree.at(1 + i)).as("branch a, token %d", i).containsExactly(chainA[n + i]);
            }
            // branch 1's cells lie after branch 0's in the cache, so vectorised attention sums group its terms
            // differently: the same values to the last bits only (as after a compaction, docs/native-binding.md)
            for (int i = 0; i < b.length; i++) {
                assertClose(tree.at(1 + a.length + i), chainB[n + i]);
            }
            // keeping branch 1: its path becomes sequence 0's history, and decoding goes on from there
            engine.submit(context -> {
                context.truncate(0, n);
                context.copySequence(1, 0, n, n + b.length);
                context.clearSequence(1);
                return context.sequenceLength(0);
            }).thenAccept(length -> assertThat(length).isEqualTo(n + b.length)).join();
            int[] next = model.vocabulary().tokenize(" ran", false, false);
            float[] after = engine.decode(SequenceDecode.last(0, next, n + b.length)).join().last();
            assertClose(after, chainLogits(concat(concat(prompt, b), next))[n + b.length + next.length - 1]);
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("logit %d", i).isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-4f));
        }
    }

    private static float[][] chainLogits(int[] tokens) {
        try (InferenceContext context = model.newContext(options(1))) {
            DecodeBatch batch = new DecodeBatch();
            batch.addSequence(0, tokens, 0, true);
            context.decode(batch);
            float[][] rows = new float[tokens.length][];
            for (int i = 0; i < tokens.length; i++) {
                rows[i] = context.logits(i);
            }
            return rows;
        }
    }

    @Test
    void continuationsRunWithTheContextClassLoaderOfTheThreadThatBuiltTheEngine() throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader original = thread.getContextClassLoader();
        ClassLoader application = new java.net.URLClassLoader(new java.net.URL[0], original);
        thread.setContextClassLoader(application);
        InferenceEngine engine;
        try {
            engine = new InferenceEngine(model, options(1), EngineOptions.named("loader-test"));
        } finally {
            thread.setContextClassLoader(original);
        }
        try (engine) {
            int[] prompt = model.vocabulary().tokenize(PROMPTS[0], true, false);
            // hold the inference thread so that the continuation is attached before the decode can complete
            CountDownLatch hold = new CountDownLatch(1);
            engine.submit(context -> hold.await(30, TimeUnit.SECONDS));
            CompletableFuture<ClassLoader> seen = engine.decode(SequenceDecode.last(0, prompt, 0))
                    .thenApply(logits -> Thread.currentThread().getContextClassLoader());
            hold.countDown();
            assertThat(seen.get(30, TimeUnit.SECONDS)).isSameAs(application);
        }
    }

    @Test
    void concurrentSessionsShareDecodesAndGetTheirSoloOutputs() throws Exception {
        int n = 24;
        int[][] solo = new int[PROMPTS.length][];
        for (int s = 0; s < PROMPTS.length; s++) {
            try (InferenceContext context = model.newContext(options(1))) {
                solo[s] = Greedy.generate(context, model.vocabulary().tokenize(PROMPTS[s]), n);
            }
        }
        try (InferenceEngine engine = new InferenceEngine(model, options(PROMPTS.length), EngineOptions.named("test"))) {
            // hold the engine so that every session's prefill is queued before the first decode runs
            CountDownLatch gate = new CountDownLatch(1);
            engine.submit(context -> gate.await(10, TimeUnit.SECONDS));
            List<CompletableFuture<int[]>> sessions = new ArrayList<>();
            for (int s = 0; s < PROMPTS.length; s++) {
                int sequence = s;
                sessions.add(CompletableFuture.supplyAsync(
                        () -> generate(engine, sequence, model.vocabulary().tokenize(PROMPTS[sequence]), n),
                        runnable -> Thread.ofPlatform().start(runnable)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (engine.statistics().queued() < PROMPTS.length && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            gate.countDown();
            for (int s = 0; s < PROMPTS.length; s++) {
                assertThat(sessions.get(s).get(60, TimeUnit.SECONDS)).as(PROMPTS[s]).isEqualTo(solo[s]);
            }
            EngineStatistics stats = engine.statistics();
            assertThat(stats.maxRequestsPerCall()).isEqualTo(PROMPTS.length);
            assertThat(stats.requestsDecoded()).isEqualTo((long) PROMPTS.length * (n + 1));
            assertThat(stats.decodeCalls()).isLessThan(stats.requestsDecoded());
        }
    }

    @Test
    void eachResultNamesTheDecodeItWasPartOf() throws Exception {
        int[] first = model.vocabulary().tokenize("Once upon a time");
        int[] second = model.vocabulary().tokenize("The cat sat on the mat");
        try (InferenceEngine engine = new InferenceEngine(model, options(2), EngineOptions.named("shared"))) {
            SharedDecode alone = engine.decode(SequenceDecode.last(0, first, 0)).join().decode();
            assertThat(alone).isEqualTo(new SharedDecode(1, first.length, 0, alone.millis()));
            assertThat(alone.millis()).isPositive();
            // held behind a task, both requests wait in the queue and go in one decode
            java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
            engine.submit(context -> {
                hold.await();
                return null;
            });
            var a = engine.decode(SequenceDecode.last(0, new int[] {13}, first.length));
            var b = engine.decode(SequenceDecode.last(1, second, 0));
            hold.countDown();
            SharedDecode shared = a.get(30, java.util.concurrent.TimeUnit.SECONDS).decode();
            assertThat(b.get(30, java.util.concurrent.TimeUnit.SECONDS).decode()).isEqualTo(shared);
            assertThat(shared.requests()).isEqualTo(2);
            assertThat(shared.tokens()).isEqualTo(1 + second.length);
            assertThat(shared.cells()).as("the first request's cells, cached before").isEqualTo(first.length);
            assertThat(new SequenceLogits(0, new int[0], new float[0][]).decode().known()).isFalse();
        }
    }

    @Test
    void aRequestLongerThanTheBatchIsDecodedInChunks() {
        int[] tokens = model.vocabulary().tokenize(TestTexts.paragraphs(3).get(2));
        assertThat(tokens.length).isBetween(70, 500);
        ContextOptions small = options(1).withBatchSize(64);
        float[] direct;
        try (InferenceContext context = model.newContext(small)) {
            DecodeBatch batch = new DecodeBatch();
            for (int from = 0; from < tokens.length; from += 64) {
                batch.clear();
                batch.addSequence(0, Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + 64)), from, false);
                context.decode(batch);
            }
            direct = context.logits(batch.size() - 1);
        }
        try (InferenceEngine engine = new InferenceEngine(model, small, EngineOptions.named("chunks"))) {
            SequenceLogits result = engine.decode(SequenceDecode.last(0, tokens, 0)).join();
            assertThat(result.last()).isEqualTo(direct);
            assertThat(engine.statistics().decodeCalls()).isEqualTo((tokens.length + 63) / 64);
        }
    }

    @Test
    void aRequestRewritingHistoryDropsTheStaleCacheFirst() {
        int[] prompt = model.vocabulary().tokenize("Once upon a time");
        int[] wrong = model.vocabulary().tokenize(" purple cows flew", false, false);
        int[] right = model.vocabulary().tokenize(" there was a dog", false, false);
        try (InferenceEngine engine = new InferenceEngine(model, options(1), EngineOptions.named("rewrite"))) {
            float[] fresh = engine.decode(SequenceDecode.all(0, concat(prompt, right), 0)).join().last();
            engine.decode(SequenceDecode.last(0, concat(prompt, wrong), 0)).join();
            // continue from the prompt with other tokens: the wrong ones must not be attended to
            float[] rewritten = engine.decode(SequenceDecode.all(0, right, prompt.length)).join().last();
            assertThat(rewritten).isEqualTo(fresh);
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void badRequestsFailAloneAndAtOnce() {
        try (InferenceEngine engine = new InferenceEngine(model, options(2), EngineOptions.named("bad"))) {
            assertFails(engine.decode(SequenceDecode.last(0, new int[] {1, 9999}, 0)), LlamaException.Code.INVALID_TOKEN);
            assertFails(engine.decode(SequenceDecode.last(2, new int[] {1}, 0)), LlamaException.Code.INVALID_ARGUMENT);
            assertFails(engine.decode(SequenceDecode.last(0, new int[] {1, 2}, 511)), LlamaException.Code.CONTEXT_OVERFLOW);
            assertFails(engine.submit(context -> {
                throw new IllegalStateException("task failed");
            }), null);
            // the engine still works
            assertThat(engine.decode(SequenceDecode.last(1, model.vocabulary().tokenize("Hello"), 0)).join().last())
                    .hasSize(512);
        }
    }

    @Test
    void aFullQueueRefusesWorkInsteadOfGrowing() throws Exception {
        try (InferenceEngine engine = new InferenceEngine(model, options(1), new EngineOptions("small", 2))) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            engine.submit(context -> {
                running.countDown();
                return release.await(10, TimeUnit.SECONDS);
            });
            running.await(10, TimeUnit.SECONDS);
            CompletableFuture<SequenceLogits> first = engine.decode(SequenceDecode.last(0, new int[] {1}, 0));
            CompletableFuture<SequenceLogits> second = engine.decode(SequenceDecode.last(0, new int[] {400}, 1));
            assertFails(engine.decode(SequenceDecode.last(0, new int[] {401}, 2)), LlamaException.Code.SATURATED);
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS).last()).hasSize(512);
            assertThat(second.get(10, TimeUnit.SECONDS).last()).hasSize(512);
        }
    }

    @Test
    void cancelledWorkIsSkipped() throws Exception {
        try (InferenceEngine engine = new InferenceEngine(model, options(1), EngineOptions.named("cancel"))) {
            CountDownLatch release = new CountDownLatch(1);
            engine.submit(context -> release.await(10, TimeUnit.SECONDS));
            CompletableFuture<SequenceLogits> cancelled = engine.decode(SequenceDecode.last(0, new int[] {1, 400}, 0));
            cancelled.cancel(true);
            release.countDown();
            engine.decode(SequenceDecode.last(0, new int[] {1}, 0)).get(10, TimeUnit.SECONDS);
            assertThat(engine.statistics().requestsDecoded()).isEqualTo(1);
        }
    }

    @Test
    void closeFailsQueuedWorkAndRefusesNewWork() throws Exception {
        InferenceEngine engine = new InferenceEngine(model, options(1), EngineOptions.named("closing"));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Boolean> blocker = engine.submit(context -> {
            running.countDown();
            return release.await(10, TimeUnit.SECONDS);
        });
        running.await(10, TimeUnit.SECONDS);
        CompletableFuture<SequenceLogits> queued = engine.decode(SequenceDecode.last(0, new int[] {1}, 0));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(engine::close);
        Thread.sleep(50);
        release.countDown();
        closing.get(30, TimeUnit.SECONDS);
        assertThat(blocker.get(10, TimeUnit.SECONDS)).isTrue();
        assertFails(queued, LlamaException.Code.CLOSED);
        assertFails(engine.decode(SequenceDecode.last(0, new int[] {1}, 0)), LlamaException.Code.CLOSED);
        assertThat(engine.isClosed()).isTrue();
        engine.close(); // idempotent
    }

    private static void assertFails(CompletableFuture<?> future, LlamaException.Code code) {
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .satisfies(e -> {
                    if (code != null) {
                        assertThat(e.getCause()).isInstanceOf(LlamaException.class);
                        assertThat(((LlamaException) e.getCause()).code()).isEqualTo(code);
                    }
                });
    }
}
