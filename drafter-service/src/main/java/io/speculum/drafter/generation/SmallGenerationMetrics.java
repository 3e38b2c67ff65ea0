package io.speculum.drafter.generation;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/** Small-model generation as Micrometer meters ({@code speculum.small_generation.*}); the generator keeps the counts. */
final class SmallGenerationMetrics implements MeterBinder {

    private static final String PREFIX = "speculum.small_generation.";

    private final SmallModelGenerator generator;

    SmallGenerationMetrics(SmallModelGenerator generator) {
        this.generator = generator;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder(PREFIX + "requests", generator, SmallModelGenerator::requests)
                .description("Generations started").register(registry);
        FunctionCounter.builder(PREFIX + "rejected_requests", generator, SmallModelGenerator::rejectedRequests)
                .description("Requests refused (invalid, overloaded, deadline)").register(registry);
        FunctionCounter.builder(PREFIX + "generated_tokens", generator, SmallModelGenerator::generatedTokens)
                .description("Completion tokens produced").register(registry);
        Gauge.builder(PREFIX + "sessions_active", generator, SmallModelGenerator::activeSessions)
                .description("Generations being decoded").register(registry);
        Gauge.builder(PREFIX + "sessions_waiting", generator, SmallModelGenerator::waitingRequests)
                .description("Generations waiting for a session").register(registry);
    }
}
