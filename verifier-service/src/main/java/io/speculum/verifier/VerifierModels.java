package io.speculum.verifier;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.EngineOptions;
import io.speculum.llama.InferenceEngine;
import io.speculum.service.ServedModel;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The target model, its engine (one context, one KV sequence per session, batch-invariant so that a token's logits
 * do not depend on how sessions share a decode; deterministic when configured, so that they do not depend on
 * anything else either) and the verifier over them.
 */
@Configuration(proxyBeanMethods = false)
class VerifierModels {

    @Bean(destroyMethod = "close")
    ServedModel targetModel(VerifierProperties properties) {
        return ServedModel.load("target", properties.model());
    }

    @Bean(destroyMethod = "close")
    InferenceEngine verifierEngine(ServedModel targetModel, VerifierProperties properties) {
        VerifierSettings settings = properties.toSettings();
        // tree branches share the committed history's cells; only their own tokens (one batch at most) need more
        int cells = properties.sequenceContext() * properties.maxSessions() + (settings.treeBranches() > 1 ? properties.batchSize() : 0);
        ContextOptions options = ContextOptions.defaults(ContextOptions.cellsFor(cells, properties.deterministic()))
                .withMaxSequences(settings.engineSequences())
                .withBatchSize(properties.batchSize())
                .withThreads(properties.effectiveThreads())
                .withBatchInvariance(properties.batchInvariant())
                .withDeterminism(properties.deterministic());
        return new InferenceEngine(targetModel.model(), options, EngineOptions.named("verifier"));
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService verifierTimer() {
        return Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("verifier-timer").unstarted(r));
    }

    @Bean(destroyMethod = "close")
    SpeculativeVerifier speculativeVerifier(ServedModel targetModel, InferenceEngine verifierEngine,
            VerifierProperties properties, VerifierOutput output, ScheduledExecutorService verifierTimer) {
        return new SpeculativeVerifier(targetModel.model(), verifierEngine, properties.toSettings(), output, verifierTimer,
                properties.cost().resolve(verifierEngine));
    }

    @Bean
    SpeculationMetrics speculationMetrics(SpeculativeVerifier speculativeVerifier) {
        return new SpeculationMetrics(speculativeVerifier);
    }
}
