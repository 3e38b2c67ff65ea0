package io.speculum.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class ServedModelTest {

    private static final Path MODELS = Path.of(System.getProperty("speculum.shared.dir"), "models");

    @Test
    void describesTheLoadedModelAndItsHealthFollowsItsLifetime() {
        ServedModel served = ServedModel.load("target", new ModelSettings(MODELS.resolve("stories260K.gguf"), 0, true));
        ModelHealthIndicator indicator = new ModelHealthIndicator(List.of(served));
        try {
            Map<String, Object> description = served.describe();
            assertThat(description).containsEntry("architecture", "llama").containsEntry("vocabularySize", 512);
            assertThat((String) description.get("vocabularyFingerprint"))
                    .isEqualTo(served.model().vocabulary().fingerprint().value());
            Health up = indicator.health();
            assertThat(up.getStatus()).isEqualTo(Status.UP);
            assertThat(up.getDetails()).containsKey("target");
        } finally {
            served.close();
        }
        Health down = indicator.health();
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails()).containsEntry("target", "closed");
    }

    @Test
    void aMissingFileStopsTheServiceWithItsPathInTheMessage() {
        Path missing = MODELS.resolve("no-such-model.gguf");
        assertThatThrownBy(() -> ServedModel.load("drafter", new ModelSettings(missing, 0, true)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("drafter model")
                .hasMessageContaining("no-such-model.gguf");
    }
}
