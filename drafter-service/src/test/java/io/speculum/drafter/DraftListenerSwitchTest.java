package io.speculum.drafter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * A drafter-service serving only small-model generation (a cascade's small model, whose vocabulary is not the
 * verifier's) listens on llm.small-generate and not on llm.draft.
 */
@SpringBootTest(webEnvironment = WebEnvironment.NONE, properties = {"spring.config.name=" + DrafterApplication.CONFIG_NAME,
        "speculum.drafter.drafts.enabled=false",
        "speculum.drafter.model.path=${speculum.shared.dir}/models/TinyStories-656K-f32.gguf"})
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class DraftListenerSwitchTest {

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Test
    void withDraftsOffOnlySmallModelGenerationListens() {
        assertThat(listeners.getListenerContainerIds()).contains("drafter-small-generate").doesNotContain("drafter-draft");
        assertThat(listeners.getListenerContainer("drafter-small-generate").isRunning()).isTrue();
    }
}
