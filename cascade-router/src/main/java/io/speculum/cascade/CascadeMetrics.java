package io.speculum.cascade;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.speculum.protocol.CascadeReply;
import io.speculum.protocol.CascadeRouting;
import io.speculum.protocol.ProtocolError.ErrorCode;
import java.util.concurrent.atomic.LongAdder;

/**
 * The router's Prometheus meters ({@code speculum_cascade_*}): requests by outcome (errors as {@code error}, a
 * client's cancellation as {@code cancelled}), deferrals and the deferral rate,
 * the histogram of deferral scores, and completion tokens per model; for token-level routing (lossy, tagged so)
 * its hand-offs and the answers' tokens per model.
 */
public final class CascadeMetrics {

    private static final String PREFIX = "speculum.cascade.";

    private final MeterRegistry registry;
    private final DistributionSummary scores;
    private final Counter deferrals;
    private final Counter smallTokens;
    private final Counter largeTokens;
    private final Counter largeRounds;
    private final Counter handoffs;
    private final Counter tokenRoutedSmall;
    private final Counter tokenRoutedLarge;
    private final LongAdder decided = new LongAdder();
    private final LongAdder deferred = new LongAdder();

    public CascadeMetrics(MeterRegistry registry, String rule) {
        this.registry = registry;
        this.scores = DistributionSummary.builder(PREFIX + "score").tag("rule", rule)
                .description("Deferral scores of small answers").publishPercentileHistogram().register(registry);
        this.deferrals = Counter.builder(PREFIX + "deferrals").description("Requests the rule deferred to the large model").register(registry);
        this.smallTokens = Counter.builder(PREFIX + "tokens").tag("model", "small").description("Completion tokens per model").register(registry);
        this.largeTokens = Counter.builder(PREFIX + "tokens").tag("model", "large").description("Completion tokens per model").register(registry);
        this.largeRounds = Counter.builder(PREFIX + "large_verification_rounds")
                .description("Large-model verification rounds spent on deferred requests").register(registry);
        // token-level routing is lossy: its meters say so in their tags
        this.handoffs = Counter.builder(PREFIX + "token_handoffs").tags("routing", "token", "lossy", "true")
                .description("Hand-offs from the small to the large model in token-routed answers").register(registry);
        this.tokenRoutedSmall = Counter.builder(PREFIX + "token_routed_tokens").tags("model", "small", "routing", "token", "lossy", "true")
                .description("Tokens of token-routed answers per model").register(registry);
        this.tokenRoutedLarge = Counter.builder(PREFIX + "token_routed_tokens").tags("model", "large", "routing", "token", "lossy", "true")
                .description("Tokens of token-routed answers per model").register(registry);
        Gauge.builder(PREFIX + "deferral_rate", this, CascadeMetrics::deferralRate)
                .description("Deferred share of the requests decided since start").register(registry);
    }

    void decided(double score, boolean defer) {
        scores.record(Math.min(score, Double.MAX_VALUE));
        decided.increment();
        if (defer) {
            deferred.increment();
            deferrals.increment();
        }
    }

    void answered(CascadeReply reply) {
        String outcome = switch (reply) {
            case CascadeReply.Answer a when a.routing() == CascadeRouting.TOKEN -> "token_routed";
            case CascadeReply.Answer a when a.answeredBy() == CascadeReply.Model.LARGE -> "large";
            case CascadeReply.Answer a when a.undeferred() != null -> "small_undeferred";
            case CascadeReply.Answer a -> "small";
            case CascadeReply.Error e when e.code() == ErrorCode.CANCELLED -> "cancelled";
            case CascadeReply.Error e -> "error";
        };
        Counter.builder(PREFIX + "requests").tag("outcome", outcome).description("Cascade requests answered, by outcome")
                .register(registry).increment();
        if (reply instanceof CascadeReply.Answer answer) {
            smallTokens.increment(answer.costs().smallCompletionTokens());
            largeTokens.increment(answer.costs().largeCompletionTokens());
            largeRounds.increment(answer.costs().largeVerificationRounds());
            if (answer.tokenRouting() != null) {
                handoffs.increment(answer.tokenRouting().handoffs());
                tokenRoutedSmall.increment(answer.tokenRouting().smallTokens());
                tokenRoutedLarge.increment(answer.tokenRouting().largeTokens());
            }
        }
    }

    public double deferralRate() {
        long n = decided.sum();
        return n == 0 ? 0 : (double) deferred.sum() / n;
    }
}
