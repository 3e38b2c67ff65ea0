package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speculum.llama.LlamaException.Code;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a clear exception with a code, never a crashed JVM. */
class ErrorPathsTest {

    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(TestModels.model(TestModels.STORIES_260K));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static void assertCode(ThrowingCallable call, Code code, String messagePart) {
        assertThatThrownBy(call)
                .isInstanceOf(LlamaException.class)
                .hasMessageContaining(messagePart)
                .satisfies(e -> assertThat(((LlamaException) e).code()).isEqualTo(code));
    }

    // ---- model files ----------------------------------------------------------------------------------------------

    @Test
    void missingModelFile(@TempDir Path dir) {
        assertCode(() -> Model.load(dir.resolve("nope.gguf")), Code.MODEL_NOT_FOUND, "does not exist");
        assertCode(() -> Model.load(dir), Code.MODEL_NOT_FOUND, "not a readable file");
    }

    @Test
    void fileThatIsNotGguf(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("model.gguf"), "this is not a model");
        assertCode(() -> Model.load(text), Code.MODEL_INVALID, "not a GGUF file");
    }

    @Test
    void truncatedGguf(@TempDir Path dir) throws IOException {
        byte[] all = Files.readAllBytes(TestModels.model(TestModels.STORIES_260K));
        Path truncated = Files.write(dir.resolve("truncated.gguf"), Arrays.copyOf(all, all.length / 3));
        assertCode(() -> Model.load(truncated), Code.MODEL_INVALID, "could not load");
    }

    @Test
    void corruptGguf(@TempDir Path dir) throws IOException {
        byte[] garbage = new byte[64 * 1024];
        new Random(7).nextBytes(garbage);
        System.arraycopy(new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0}, 0, garbage, 0, 8);
        Path corrupt = Files.write(dir.resolve("corrupt.gguf"), garbage);
        assertCode(() -> Model.load(corrupt), Code.MODEL_INVALID, "could not load");
    }

    // ---- contexts and batches ---------------------------------------------------------------------------------

    @Test
    void contextLargerThanTheTrainingContext() {
        assertCode(() -> model.newContext(ContextOptions.defaults(4096)), Code.INVALID_ARGUMENT, "training context");
    }

    @Test
    void positionBeyondTheContext() {
        try (InferenceContext context = model.newContext(ContextOptions.defaults(64))) {
            DecodeBatch batch = new DecodeBatch();
            batch.add(1, 64, 0, true);
            assertCode(() -> context.decode(batch), Code.CONTEXT_OVERFLOW, "outside the context");
        }
    }

    @Test
    void kvCacheFullAcrossSequences() {
        try (InferenceContext context = model.newContext(ContextOptions.defaults(64).withMaxSequences(2))) {
            int[] tokens = new int[40];
            Arrays.fill(tokens, 300);
            DecodeBatch batch = new DecodeBatch();
            batch.addSequence(0, tokens, 0, false);
            context.decode(batch);
            batch.clear();
            batch.addSequence(1, tokens, 0, false);
            assertCode(() -> context.decode(batch), Code.KV_CACHE_FULL, "No room in the KV cache");
            assertThat(context.sequenceLength(1)).isZero();
            // the context is still usable after the refusal
            context.clearSequence(0);
            context.decode(batch);
            assertThat(context.sequenceLength(1)).isEqualTo(40);
        }
    }

    @Test
    void batchLargerThanTheBatchSize() {
        try (InferenceContext context = model.newContext(ContextOptions.defaults(256).withBatchSize(64))) {
            DecodeBatch batch = new DecodeBatch();
            batch.addSequence(0, new int[context.batchSize() + 1], 0, true);
            assertCode(() -> context.decode(batch), Code.BATCH_OVERFLOW, "exceeds the context's batch size");
            assertCode(() -> context.decode(new DecodeBatch()), Code.INVALID_ARGUMENT, "Empty batch");
        }
    }

    @Test
    void invalidTokenIdsAndSequenceIds() {
        Vocabulary vocabulary = model.vocabulary();
        try (InferenceContext context = model.newContext(ContextOptions.defaults(64))) {
            for (int bad : new int[] {-1, 512, Integer.MAX_VALUE}) {
                DecodeBatch batch = new DecodeBatch();
                batch.add(bad, 0, 0, true);
                assertCode(() -> context.decode(batch), Code.INVALID_TOKEN, "outside the vocabulary");
                assertCode(() -> vocabulary.detokenize(new int[] {5, bad}), Code.INVALID_TOKEN, "outside the vocabulary");
                assertCode(() -> vocabulary.pieceBytes(bad, false), Code.INVALID_TOKEN, "outside the vocabulary");
                assertCode(() -> vocabulary.tokenText(bad), Code.INVALID_TOKEN, "outside the vocabulary");
                assertCode(() -> vocabulary.isEndOfGeneration(bad), Code.INVALID_TOKEN, "outside the vocabulary");
            }
            DecodeBatch otherSequence = new DecodeBatch();
            otherSequence.add(5, 0, 1, true);
            assertCode(() -> context.decode(otherSequence), Code.INVALID_ARGUMENT, "Sequence id 1");
            assertCode(() -> context.sequenceLength(-1), Code.INVALID_ARGUMENT, "Sequence id -1");
        }
    }

    @Test
    void textTheVocabularyCannotSpell() {
        // llama.cpp aborts the process on these (unordered_map::at in its byte fallback); we refuse them
        try (Model baby = Model.load(TestModels.model(TestModels.BABYLLAMA))) {
            assertCode(() -> baby.vocabulary().tokenize("a 日"), Code.INVALID_ARGUMENT, "'日' (U+65E5)");
            assertCode(() -> baby.vocabulary().tokenize("tab\there"), Code.INVALID_ARGUMENT, "a control character (U+0009)");
            assertThat(baby.vocabulary().tokenize("a day")).isNotEmpty();
        }
    }

    @Test
    void logitsThatWereNotRequestedOrAreStale() {
        try (InferenceContext context = model.newContext(ContextOptions.defaults(64))) {
            DecodeBatch batch = new DecodeBatch();
            batch.addSequence(0, new int[] {1, 400, 401}, 0, false);
            context.decode(batch);
            assertCode(() -> context.logits(0), Code.INVALID_ARGUMENT, "has no logits");
            assertCode(() -> context.logits(3), Code.INVALID_ARGUMENT, "has no logits");
            LogitsView view = context.logitsView(2);
            assertThat(view.isValid()).isTrue();
            batch.clear();
            batch.add(402, 3, 0, true);
            context.decode(batch);
            assertThat(view.isValid()).isFalse();
            assertThatThrownBy(() -> view.get(0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("decoded since");
        }
    }

    // ---- lifecycle and threads --------------------------------------------------------------------------------

    @Test
    void useAfterClose() {
        Model closing = Model.load(TestModels.model(TestModels.STORIES_260K));
        InferenceContext context = closing.newContext(ContextOptions.defaults(64));
        assertThatThrownBy(closing::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("still open");
        context.close();
        context.close(); // idempotent
        DecodeBatch batch = new DecodeBatch();
        batch.add(1, 0, 0, true);
        assertCode(() -> context.decode(batch), Code.CLOSED, "closed");
        assertCode(() -> context.logits(0), Code.CLOSED, "closed");
        closing.close();
        closing.close(); // idempotent
        assertCode(() -> closing.vocabulary().tokenize("hi"), Code.CLOSED, "closed");
        assertCode(() -> closing.vocabulary().piece(5), Code.CLOSED, "closed");
        assertCode(() -> closing.newContext(ContextOptions.defaults(64)), Code.CLOSED, "closed");
    }

    @Test
    void aContextRefusesCallsFromOtherThreads() throws Exception {
        try (InferenceContext context = model.newContext(ContextOptions.defaults(64))) {
            DecodeBatch batch = new DecodeBatch();
            batch.add(1, 0, 0, true);
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> context.decode(batch));
            assertThatThrownBy(other::get)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(LlamaException.class)
                    .hasMessageContaining("belongs to the thread that created it");
            context.decode(batch); // the owner still can
        }
    }

    @Test
    void invalidOptionsAreRefusedBeforeAnyNativeCall() {
        assertThatThrownBy(() -> new ContextOptions(0, 8, 8, 1, 1, 1, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ContextOptions(64, 8, 16, 1, 1, 1, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ContextOptions(64, 16, 8, 1, 1, 1, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ContextOptions(64, 8, 8, 300, 1, 1, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ModelOptions(Path.of("x"), -2, true, false)).isInstanceOf(IllegalArgumentException.class);
    }
}
