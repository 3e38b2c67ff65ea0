package io.speculum.drafter;

import io.speculum.drafter.drafters.HybridDrafter;
import io.speculum.drafter.drafters.ModelDrafter;
import io.speculum.drafter.drafters.NGramDrafter;
import io.speculum.drafter.drafters.RecyclingDrafter;
import io.speculum.drafter.drafters.SuccessorTable;
import io.speculum.llama.ContextOptions;
import io.speculum.llama.EngineOptions;
import io.speculum.llama.InferenceEngine;
import io.speculum.service.ServedModel;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Loads the drafter's model at start and serves drafts from it (plain generation from a second context on the same
 * weights: {@code generation.SmallGenerationConfiguration}); a missing or bad file stops the
 * service clearly.
 */
@Configuration(proxyBeanMethods = false)
class DrafterModels {

    /** Requests whose per-source acceptance the hybrid drafter remembers (a few numbers each). */
    private static final int HYBRID_TRACKED_REQUESTS = 4096;

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
        String vocabulary = drafterModel.model().vocabulary().fingerprint().toString();
        // one successor table for all requests and both drafters that use it: what one generation teaches helps all
        SuccessorTable successors = new SuccessorTable(properties.recycling().capacity(), properties.recycling().width());
        return new DraftService(List.of(
                new ModelDrafter(properties.name(), drafterModel.model(), engine, properties.idleRelease()),
                new NGramDrafter(vocabulary),
                new RecyclingDrafter(vocabulary, successors),
                new HybridDrafter(vocabulary, successors, HYBRID_TRACKED_REQUESTS)),
                properties.name());
    }
}
