package io.speculum.drafter.generation;

import io.speculum.drafter.DrafterProperties;
import io.speculum.llama.ContextOptions;
import io.speculum.llama.EngineOptions;
import io.speculum.llama.InferenceEngine;
import io.speculum.service.ServedModel;
import java.util.concurrent.ForkJoinPool;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Small-model generation from a second context on the drafter's weights, unless turned off. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "speculum.drafter.generation.enabled", matchIfMissing = true)
class SmallGenerationConfiguration {

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
