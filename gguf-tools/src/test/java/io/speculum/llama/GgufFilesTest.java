package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speculum.llama.LlamaException.Code;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A vocabulary-only copy ({@link GgufFiles#writeVocabularyOnly}) loads only as such and keeps the fingerprint. */
class GgufFilesTest {

    @Test
    void fingerprintsAreStableAndTellVocabulariesApart(@TempDir Path dir) {
        Path vocabFile = dir.resolve("stories260K-vocab.gguf");
        GgufFiles.writeVocabularyOnly(TestModels.model(TestModels.STORIES_260K), vocabFile);
        try (Model a = Model.load(TestModels.model(TestModels.STORIES_260K));
             Model again = Model.load(TestModels.model(TestModels.STORIES_260K));
             Model vocabOnly = Model.load(ModelOptions.vocabularyOnly(vocabFile));
             Model other = Model.load(TestModels.model(TestModels.TINYSTORIES_656K))) {
            VocabularyFingerprint fp = a.vocabulary().fingerprint();
            assertThat(fp.value()).startsWith("sha256:").hasSize(7 + 64);
            assertThat(again.vocabulary().fingerprint()).isEqualTo(fp);
            assertThat(vocabOnly.vocabulary().fingerprint()).isEqualTo(fp);
            assertThat(other.vocabulary().fingerprint().matches(fp)).isFalse();
            fp.requireSameAs(vocabOnly.vocabulary().fingerprint(), "drafter");
            assertThatThrownBy(() -> fp.requireSameAs(other.vocabulary().fingerprint(), "drafter"))
                    .isInstanceOf(LlamaException.class)
                    .hasMessageContaining("vocabulary mismatch");
        }
    }

    @Test
    void vocabularyOnlyFileLoadedAsAModel(@TempDir Path dir) {
        Path vocab = dir.resolve("vocab.gguf");
        GgufFiles.writeVocabularyOnly(TestModels.model(TestModels.STORIES_260K), vocab);
        assertThatThrownBy(() -> Model.load(vocab))
                .isInstanceOf(LlamaException.class)
                .hasMessageContaining("could not load")
                .satisfies(e -> assertThat(((LlamaException) e).code()).isEqualTo(Code.MODEL_INVALID));
        try (Model vocabOnly = Model.load(ModelOptions.vocabularyOnly(vocab))) {
            assertThat(vocabOnly.vocabulary().tokenize("Once upon a time")).hasSizeGreaterThan(1);
        }
    }
}
