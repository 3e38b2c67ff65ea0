package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModelMetadataTest {

    @Test
    void stories260KDescribesItself() {
        try (Model model = Model.load(TestModels.model(TestModels.STORIES_260K))) {
            ModelMetadata m = model.metadata();
            assertThat(m.architecture()).isEqualTo("llama");
            assertThat(m.name()).isEqualTo("stories260K");
            assertThat(m.trainingContext()).isEqualTo(512);
            assertThat(m.layerCount()).isEqualTo(5);
            assertThat(m.embeddingSize()).isEqualTo(64);
            assertThat(m.headCount()).isEqualTo(8);
            assertThat(m.vocabularySize()).isEqualTo(512);
            assertThat(m.vocabularyType()).isEqualTo(VocabularyType.SPM);
            assertThat(m.parameterCount()).isBetween(200_000L, 400_000L);
            assertThat(m.sizeBytes()).isEqualTo(m.parameterCount() * 4); // F32
            assertThat(m.specialTokens().bos()).isEqualTo(1);
            assertThat(m.specialTokens().eos()).isEqualTo(2);
            assertThat(m.specialTokens().addBos()).isTrue();
            assertThat(m.chatTemplate()).isEmpty();
            assertThat(m.keyValues()).containsEntry("llama.block_count", "5");
            assertThat(model.vocabulary().isEndOfGeneration(2)).isTrue();
            assertThat(model.vocabulary().isControl(1)).isTrue();
        }
    }

    @Test
    void eachModelHasItsOwnShape() {
        try (Model tiny = Model.load(TestModels.model(TestModels.TINYSTORIES_656K));
             Model baby = Model.load(TestModels.model(TestModels.BABYLLAMA));
             Model random = Model.load(TestModels.model(TestModels.LLAMA2_RANDOM))) {
            assertThat(tiny.metadata().vocabularySize()).isEqualTo(2048);
            assertThat(tiny.metadata().layerCount()).isEqualTo(2);
            assertThat(baby.metadata().vocabularySize()).isEqualTo(105);
            assertThat(baby.metadata().trainingContext()).isEqualTo(256);
            assertThat(random.metadata().vocabularySize()).isEqualTo(32000);
            assertThat(random.vocabulary().hasByteFallback()).isTrue();
            assertThat(baby.vocabulary().hasByteFallback()).isFalse();
        }
    }
}
