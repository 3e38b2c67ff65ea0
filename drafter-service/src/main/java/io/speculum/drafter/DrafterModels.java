package io.speculum.drafter;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.EngineOptions;
import io.speculum.llama.InferenceEngine;
import io.speculum.service.ServedModel;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Loads the drafter's model at start and serves drafts from it; a missing or bad file stops the service clearly. */
@Configuration(proxyBeanMethods = false)
class DrafterModels {

    @Bean(destroyMethod = "close")
    ServedModel drafterModel(DrafterProperties properties) {
        return ServedModel.load("drafter", properties.model());
    }

    @Bean(destroyMethod = "close")
    DraftService draftService(ServedModel drafterModel, DrafterProperties properties) {
        ContextOptions options = ContextOptions.defaults(properties.sequenceContext() * properties.sequences())
                .withMaxSequences(properties.sequences())
                .withBatchSize(64)
                .withThreads(properties.threads());
        InferenceEngine engine = new InferenceEngine(drafterModel.model(), options, EngineOptions.named("drafter"));
        return new DraftService(List.of(new ModelDrafter(properties.name(), drafterModel.model(), engine, properties.idleRelease())), properties.name());
    }
}
