package io.speculum.cascade;

import io.micrometer.core.instrument.MeterRegistry;
import io.speculum.cascade.deferral.ChowAverage;
import io.speculum.protocol.SpeculationPolicy;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The router as the router tests build it, without Kafka: rule {@code chow-average} at threshold 1, models "small"
 * (prompt suffix " ") and "large", draft chunks of 4, at most 64 tokens, replies on "router-replies". What a test
 * varies it sets by name; the rest keeps these values.
 */
final class RouterFixture {

    private CascadeProperties.LargeFailure onLargeFailure = CascadeProperties.LargeFailure.ERROR;
    private Duration smallTimeout = Duration.ofSeconds(5);
    private Duration largeTimeout = Duration.ofSeconds(5);
    private SpeculationPolicy.Mode largeSpeculation = SpeculationPolicy.Mode.OFF;
    private int maxPending = 8;
    private double tokenThreshold = 3.0;
    private int maxHandoffs = 64;

    RouterFixture onLargeFailure(CascadeProperties.LargeFailure value) {
        onLargeFailure = value;
        return this;
    }

    RouterFixture timeouts(Duration small, Duration large) {
        smallTimeout = small;
        largeTimeout = large;
        return this;
    }

    RouterFixture largeSpeculation(SpeculationPolicy.Mode value) {
        largeSpeculation = value;
        return this;
    }

    RouterFixture maxPending(int value) {
        maxPending = value;
        return this;
    }

    RouterFixture tokenThreshold(double value) {
        tokenThreshold = value;
        return this;
    }

    RouterFixture maxHandoffs(int value) {
        maxHandoffs = value;
        return this;
    }

    CascadeProperties settings() {
        return new CascadeProperties(ChowAverage.NAME, null, 1.0, "small", " ", "large", smallTimeout, largeTimeout, onLargeFailure, true,
                largeSpeculation, 4, 64, maxPending, "router-replies", tokenThreshold, 1, maxHandoffs, true);
    }

    CascadeRouter router(CascadeOutput output, MeterRegistry registry, ScheduledExecutorService timer) {
        return new CascadeRouter(settings(), new ChowAverage(), output, new CascadeMetrics(registry, ChowAverage.NAME), timer);
    }
}
