package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Derived drafters load, share the verifier's vocabulary, and behave like what they were derived as. */
class DrafterDeriverTest {

    private static final Path SOURCE = TestModels.model(TestModels.STORIES_260K);
    private static final String PROMPT = "Once upon a time, there was a little girl named Lily.";

    private static int[] targetTokens;

    @TempDir
    Path dir;

    @BeforeAll
    static void targetContinuation() {
        try (Model target = Model.load(SOURCE); InferenceContext context = target.newContext(ContextOptions.defaults(256))) {
            int[] prompt = target.vocabulary().tokenize(PROMPT, true, false);
            int[] continuation = Greedy.generate(context, prompt, 48);
            targetTokens = concat(prompt, continuation);
        }
    }

    @Test
    void q8DrafterKeepsTheVocabularyAndAgreesWithTheTargetAlmostEverywhere() {
        DerivedDrafter derived = new DrafterDeriver().derive(new DrafterDerivation(SOURCE, dir.resolve("q8.gguf"), WeightFormat.Q8_0, 0));

        assertThat(derived.blocks()).isEqualTo(5);
        assertThat(derived.sourceBlocks()).isEqualTo(5);
        assertThat(derived.converted()).contains("blk.0.attn_q.weight", "token_embd.weight");
        // stories260K's ffn_down rows have 172 values: not a multiple of Q8_0's 32-value blocks
        assertThat(derived.unchanged()).anyMatch(t -> t.startsWith("blk.0.ffn_down.weight") && t.contains("172"));
        assertThat(derived.unchanged()).anyMatch(t -> t.startsWith("blk.0.attn_norm.weight"));
        assertThat(derived.bytes()).isLessThan(sizeOf(SOURCE));
        try (Model source = Model.load(SOURCE); Model drafter = Model.load(derived.file())) {
            assertThat(drafter.vocabulary().fingerprint()).isEqualTo(source.vocabulary().fingerprint());
            assertThat(drafter.metadata().keyValues()).containsEntry("general.file_type", "7");
            assertThat(drafter.metadata().layerCount()).isEqualTo(5);
            assertThat(topOneAgreement(drafter)).isGreaterThanOrEqualTo(0.9);
        }
    }

    @Test
    void keepingTheFirstBlocksWritesAShallowerModelThatStillDecodes() {
        DerivedDrafter derived = new DrafterDeriver().derive(new DrafterDerivation(SOURCE, dir.resolve("l2.gguf"), WeightFormat.KEEP, 2));

        assertThat(derived.blocks()).isEqualTo(2);
        assertThat(derived.converted()).isEmpty();
        try (Model source = Model.load(SOURCE); Model drafter = Model.load(derived.file())) {
            assertThat(drafter.metadata().layerCount()).isEqualTo(2);
            assertThat(drafter.metadata().parameterCount()).isLessThan(source.metadata().parameterCount());
            assertThat(drafter.vocabulary().fingerprint()).isEqualTo(source.vocabulary().fingerprint());
            double agreement = topOneAgreement(drafter);
            // a 2-block copy with the original head is a poor predictor, but it is a working model, not noise
            assertThat(agreement).isBetween(0.0, 0.9);
        }
    }

    @Test
    void quantisingAndCuttingCombine() {
        DerivedDrafter derived = new DrafterDeriver().derive(new DrafterDerivation(SOURCE, dir.resolve("q4l3.gguf"), WeightFormat.Q4_0, 3));

        assertThat(derived.blocks()).isEqualTo(3);
        assertThat(derived.converted()).contains("blk.2.attn_k.weight").noneMatch(t -> t.startsWith("blk.3."));
        try (Model drafter = Model.load(derived.file())) {
            assertThat(drafter.metadata().keyValues()).containsEntry("general.file_type", "2");
            assertThat(drafter.metadata().layerCount()).isEqualTo(3);
            assertThat(drafter.metadata().name()).contains("derived drafter");
            topOneAgreement(drafter); // decodes without error
        }
    }

    @Test
    void f16DrafterOfATiedEmbeddingModel() {
        Path source = TestModels.model(TestModels.TINYSTORIES_656K);
        DerivedDrafter derived = new DrafterDeriver().derive(new DrafterDerivation(source, dir.resolve("f16.gguf"), WeightFormat.F16, 0));

        assertThat(derived.unchanged()).noneMatch(t -> t.contains("not a multiple")); // F16 has no blocks
        try (Model original = Model.load(source); Model drafter = Model.load(derived.file())) {
            assertThat(drafter.vocabulary().fingerprint()).isEqualTo(original.vocabulary().fingerprint());
            assertThat(drafter.metadata().sizeBytes()).isLessThan(original.metadata().sizeBytes());
        }
    }

    @Test
    void badRequestsAreRefusedClearly() {
        DrafterDeriver deriver = new DrafterDeriver();
        assertThatThrownBy(() -> deriver.derive(new DrafterDerivation(SOURCE, dir.resolve("x.gguf"), WeightFormat.KEEP, 9)))
                .isInstanceOfSatisfying(LlamaException.class, e -> assertThat(e.code()).isEqualTo(LlamaException.Code.INVALID_ARGUMENT))
                .hasMessageContaining("cannot keep 9 blocks of a model with 5");
        assertThatThrownBy(() -> deriver.derive(new DrafterDerivation(dir.resolve("missing.gguf"), dir.resolve("x.gguf"), WeightFormat.Q8_0, 0)))
                .isInstanceOfSatisfying(LlamaException.class, e -> assertThat(e.code()).isEqualTo(LlamaException.Code.MODEL_NOT_FOUND));
        assertThatThrownBy(() -> new DrafterDerivation(SOURCE, SOURCE, WeightFormat.Q8_0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overwrite");
        assertThatThrownBy(() -> new DrafterDerivation(SOURCE, dir.resolve("x.gguf"), WeightFormat.KEEP, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing to derive");
        assertThat(dir.resolve("x.gguf")).doesNotExist();
    }

    @Test
    void aFileThatIsNotGgufIsRefused() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.gguf"), "not a gguf file at all, just text");
        assertThatThrownBy(() -> new DrafterDeriver().derive(new DrafterDerivation(junk, dir.resolve("x.gguf"), WeightFormat.Q8_0, 0)))
                .isInstanceOfSatisfying(LlamaException.class, e -> assertThat(e.code()).isEqualTo(LlamaException.Code.MODEL_INVALID));
    }

    /** Teacher-forced on the target's greedy continuation: how often the drafter's argmax is the target's next token. */
    private static double topOneAgreement(Model drafter) {
        int promptLength = targetTokens.length - 48;
        try (InferenceContext context = drafter.newContext(ContextOptions.defaults(256))) {
            DecodeBatch batch = new DecodeBatch();
            batch.addSequence(0, targetTokens, 0, true);
            context.decode(batch);
            int agree = 0;
            int positions = 0;
            for (int i = promptLength - 1; i < targetTokens.length - 1; i++) {
                positions++;
                if (context.logitsView(i).argmax() == targetTokens[i + 1]) {
                    agree++;
                }
            }
            return (double) agree / positions;
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
