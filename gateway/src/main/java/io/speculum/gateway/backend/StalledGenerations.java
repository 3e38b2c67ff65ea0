package io.speculum.gateway.backend;

import io.speculum.gateway.GatewayMetrics;
import io.speculum.gateway.GatewayProperties;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Failover of generations whose verifier died: a generation that has had no event for
 * {@code speculum.gateway.resume-after} is sent again with the tokens its client already has
 * ({@link GenerationClient#resend}), and again after each further such silence, until it ends (or the stream's idle
 * timeout ends it). A copy is served once the request's partition of {@code llm.generate} has a live owner, i.e. after
 * the verifiers' consumer group has rebalanced; a verifier that still serves the request drops the copy.
 */
@Component
class StalledGenerations implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StalledGenerations.class);

    private final ReplyRouter replies;
    private final GenerationClient client;
    private final GatewayMetrics metrics;
    private final long resumeAfterNanos;
    private final ScheduledExecutorService sweeper;

    StalledGenerations(ReplyRouter replies, GenerationClient client, GatewayMetrics metrics, GatewayProperties properties) {
        this.replies = replies;
        this.client = client;
        this.metrics = metrics;
        Duration resumeAfter = properties.resumeAfter();
        this.resumeAfterNanos = resumeAfter.toNanos();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("stalled-generations").factory());
        if (resumeAfterNanos > 0) {
            long period = Math.max(50, resumeAfter.toMillis() / 4);
            sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
        }
    }

    void sweep() {
        long now = System.nanoTime();
        for (PendingGeneration generation : replies.pendingGenerations()) {
            try {
                if (!generation.ended() && generation.silentNanos(now) >= resumeAfterNanos) {
                    client.resend(generation);
                    metrics.resend();
                }
            } catch (RuntimeException e) { // a failure must not end the schedule (it would, silently)
                LOG.warn("Could not send {} again", generation.requestId(), e);
            }
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
