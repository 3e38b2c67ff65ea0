package io.speculum.verifier;

import io.speculum.protocol.HopStages;
import java.util.LinkedHashMap;
import java.util.Map;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.speculum.protocol.SpeculationPolicy;
import java.time.Duration;
import java.util.function.ToDoubleFunction;

/**
 * Exports a verifier's {@link SpeculationStatistics} to Micrometer, named after vLLM's {@code spec_decode_*} family
 * (Prometheus: {@code speculum_spec_decode_num_drafts_total}, …). The statistics know nothing of this exporter.
 */
public final class SpeculationMetrics implements MeterBinder {

    private static final String PREFIX = "speculum.spec_decode.";
    private static final String[] HOP_STAGES = {"to_drafter", "drafter_wait", "drafting", "drafter_send", "to_verifier", "transport"};

    private final SpeculativeVerifier verifier;

    public SpeculationMetrics(SpeculativeVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        SpeculationStatistics stats = verifier.statistics();
        counter(registry, "num_drafts", "Rounds that verified a non-empty draft", stats, SpeculationStatistics::drafts);
        counter(registry, "num_draft_tokens", "Draft tokens verified", stats, SpeculationStatistics::draftTokens);
        counter(registry, "num_accepted_tokens", "Draft tokens accepted", stats, SpeculationStatistics::acceptedTokens);
        counter(registry, "num_emitted_tokens", "Tokens committed, drafted or not", stats, SpeculationStatistics::emittedTokens);
        counter(registry, "num_rounds", "Verification rounds (with or without a draft)", stats, SpeculationStatistics::rounds);
        counter(registry, "requests", "Generations started", stats, SpeculationStatistics::requests);
        counter(registry, "draft_timeouts", "Rounds decoded alone because no draft came in time", stats,
                SpeculationStatistics::draftTimeouts);
        counter(registry, "dropped_messages", "Duplicated or stale messages recognised and dropped", stats,
                SpeculationStatistics::droppedMessages);
        counter(registry, "rejected_requests", "Requests refused (overload, invalid input)", stats,
                SpeculationStatistics::rejectedRequests);
        counter(registry, "pipelined_rounds", "Rounds that verified a pre-draft (pipelined drafting)", stats,
                SpeculationStatistics::pipelinedRounds);
        counter(registry, "state_resends", "Draft requests sent again whole because a drafter lacked a delta's base", stats,
                SpeculationStatistics::stateResends);
        for (int i = 0; i < SpeculationPolicy.MAX_DRAFT_TOKENS; i++) {
            int position = i;
            FunctionCounter.builder(PREFIX + "num_accepted_tokens_per_pos", stats, s -> s.acceptedAtPosition(position))
                    .description("Drafts whose token at this position was accepted")
                    .tag("position", Integer.toString(position))
                    .register(registry);
        }
        gauge(registry, "acceptance_rate", "Accepted per drafted token (alpha)", stats, SpeculationStatistics::acceptanceRate);
        gauge(registry, "mean_accepted_length", "Tokens committed per round (tau)", stats,
                SpeculationStatistics::meanAcceptedLength);
        Gauge.builder("speculum.verifier.sessions.active", verifier, SpeculativeVerifier::activeSessions)
                .description("Generations being decoded").register(registry);
        Gauge.builder("speculum.verifier.sessions.waiting", verifier, SpeculativeVerifier::waitingRequests)
                .description("Generations queued for a free session").register(registry);
        Timer round = Timer.builder(PREFIX + "round").description("Time of one verification decode")
                .publishPercentileHistogram().register(registry);
        Timer hop = Timer.builder(PREFIX + "draft_hop")
                .description("From asking for a draft to receiving it (Kafka both ways plus drafting)")
                .publishPercentileHistogram().register(registry);
        Map<String, Timer> stages = new LinkedHashMap<>();
        for (String stage : HOP_STAGES) {
            stages.put(stage, Timer.builder(PREFIX + "draft_hop_stage")
                    .description("One stage of the drafter hop (to_drafter, drafter_wait, drafting, drafter_send, to_verifier; "
                            + "transport = to_drafter + to_verifier)")
                    .tag("stage", stage).publishPercentileHistogram().register(registry));
        }
        DistributionSummary chosen = DistributionSummary.builder(PREFIX + "draft_length")
                .description("Draft length k the verifier asked for per round (0: decoded alone)")
                .serviceLevelObjectives(0.5, 1, 2, 4, 8, 16, 32) // le=0.5: rounds decoded alone
                .register(registry);
        stats.onRound(record -> {
            round.record(Duration.ofNanos((long) (record.roundMillis() * 1e6)));
            if (record.drafted() > 0) {
                hop.record(Duration.ofNanos((long) (record.hopMillis() * 1e6)));
            }
            HopStages h = record.hop();
            if (h != null) {
                double[] millis = {h.toDrafter(), h.drafterWait(), h.drafting(), h.drafterSend(), h.toVerifier(), h.transport()};
                for (int i = 0; i < millis.length; i++) {
                    stages.get(HOP_STAGES[i]).record(Duration.ofNanos((long) (millis[i] * 1e6)));
                }
            }
            chosen.record(record.requested());
            if (record.drafter() != null) {
                bindDrafter(registry, stats, record.drafter());
            }
        });
    }

    /** Per-drafter meters, registered when a drafter first answers (registering again returns the same meters). */
    private static void bindDrafter(MeterRegistry registry, SpeculationStatistics stats, String drafter) {
        SpeculationStatistics.DrafterCounts counts = stats.byDrafter().get(drafter);
        if (counts == null || registry.find(PREFIX + "drafter.draft_tokens").tag("drafter", drafter).functionCounter() != null) {
            return;
        }
        FunctionCounter.builder(PREFIX + "drafter.draft_tokens", counts, c -> c.draftTokens().sum())
                .description("Draft tokens verified, per drafter").tag("drafter", drafter).register(registry);
        FunctionCounter.builder(PREFIX + "drafter.accepted_tokens", counts, c -> c.acceptedTokens().sum())
                .description("Draft tokens accepted, per drafter").tag("drafter", drafter).register(registry);
        Gauge.builder(PREFIX + "drafter.acceptance_rate", counts, SpeculationStatistics.DrafterCounts::acceptanceRate)
                .description("Accepted per drafted token (alpha), per drafter").tag("drafter", drafter).register(registry);
    }

    private static void counter(MeterRegistry registry, String name, String description, SpeculationStatistics stats,
            ToDoubleFunction<SpeculationStatistics> value) {
        FunctionCounter.builder(PREFIX + name, stats, value).description(description).register(registry);
    }

    private static void gauge(MeterRegistry registry, String name, String description, SpeculationStatistics stats,
            ToDoubleFunction<SpeculationStatistics> value) {
        Gauge.builder(PREFIX + name, stats, value).description(description).register(registry);
    }
}
