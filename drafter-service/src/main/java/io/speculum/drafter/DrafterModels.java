package io.speculum.drafter;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.EngineOptions;
import io.speculum.llama.InferenceEngine;
import io.speculum.service.ServedModel;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Loads the drafter's model at start and serves drafts from it, and plain generation from a second context on the
 * same weights; a missing or bad file stops the service clearly.
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

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "speculum.drafter.generation.enabled", matchIfMissing = true)
    static class SmallGeneration {

        @Bean(destroyMethod = "close")
        InferenceEngine smallGenerationEngine(ServedModel drafterModel, DrafterProperties properties) {
            DrafterProperties.Generation generation = properties.generation();
            ContextOptions options = ContextOptions.defaults(generation.sequenceContext() * generation.sessions())
                    .withMaxSequences(generation.sessions())
                    .withBatchSize(64)
                    .withThreads(properties.threads())
                    .withBatchInvariance(true);
            return new InferenceEngine(drafterModel.model(), options, EngineOptions.named("small-generation"));
        }

        // closed before its engine (reverse creation order): running generations end with an error event first
        @Bean(destroyMethod = "close")
        SmallModelGenerator smallModelGenerator(ServedModel drafterModel, InferenceEngine smallGenerationEngine,
                DrafterProperties properties, GenerationOutput output) {
            DrafterProperties.Generation generation = properties.generation();
            GenerationSettings settings = new GenerationSettings(properties.servedModelName(), generation.sequenceContext(),
                    generation.sessions(), generation.maxWaiting(), Math.min(generation.maxTokens(), generation.sequenceContext()),
                    10_000);
            return new SmallModelGenerator(drafterModel.model(), smallGenerationEngine, settings, output, ForkJoinPool.commonPool());
        }

        @Bean
        SmallGenerationMetrics smallGenerationMetrics(SmallModelGenerator smallModelGenerator) {
            return new SmallGenerationMetrics(smallModelGenerator);
        }
    }
}
