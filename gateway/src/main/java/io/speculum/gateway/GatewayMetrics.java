package io.speculum.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.speculum.gateway.openai.RequestKind;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * The gateway's latency and token metrics, named after vLLM's where they mean the same (Prometheus:
 * {@code speculum_gateway_time_to_first_token_seconds}, {@code …_inter_token_latency_seconds},
 * {@code …_e2e_request_latency_seconds}, {@code …_request_queue_time_seconds}, {@code …_prompt_tokens_total},
 * {@code …_generation_tokens_total}, {@code …_requests_total{kind,status}}, kinds {@code completions},
 * {@code chat-completions}, {@code detect}, {@code cascade}). Requests by HTTP status are also in
 * Spring's {@code http_server_requests_seconds}.
 */
@Component
public class GatewayMetrics {

    private final MeterRegistry registry;

    GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void timeToFirstToken(RequestKind kind, Duration elapsed) {
        timer("speculum.gateway.time.to.first.token", "From the request's arrival to its first token", kind).record(elapsed);
    }

    /**
     * Queue time: time to the first token minus the verifier's own prefill time (round 0's compute), i.e. Kafka both
     * ways plus waiting for a verifier session.
     */
    public void queueTime(RequestKind kind, Duration elapsed) {
        timer("speculum.gateway.request.queue.time", "Time to first token minus the verifier's prefill compute", kind)
                .record(elapsed.isNegative() ? Duration.ZERO : elapsed);
    }

    /** One gap between events spread over the tokens the later event carries. */
    public void interTokenLatency(RequestKind kind, Duration gap, int tokens) {
        if (tokens <= 0) {
            return;
        }
        Timer timer = timer("speculum.gateway.inter.token.latency", "Time between tokens as the client receives them", kind);
        Duration perToken = gap.dividedBy(tokens);
        for (int i = 0; i < tokens; i++) {
            timer.record(perToken);
        }
    }

    public void endToEnd(RequestKind kind, Duration elapsed) {
        timer("speculum.gateway.e2e.request.latency", "From the request's arrival to its last token", kind).record(elapsed);
    }

    public void tokens(RequestKind kind, int prompt, int generated) {
        Counter.builder("speculum.gateway.prompt.tokens").tag("kind", kind.limiterName()).register(registry).increment(prompt);
        Counter.builder("speculum.gateway.generation.tokens").tag("kind", kind.limiterName()).register(registry).increment(generated);
        DistributionSummary.builder("speculum.gateway.request.generation.tokens").tag("kind", kind.limiterName())
                .register(registry).record(generated);
    }

    /** A finished request: HTTP status (200 for every stream that started) and OpenAI finish reason or error code. */
    public void request(RequestKind kind, int status, String outcome) {
        request(kind.limiterName(), status, outcome);
    }

    /** The same for the one-reply routes: {@code kind} {@code detect} or {@code cascade}. */
    public void request(String kind, int status, String outcome) {
        Counter.builder("speculum.gateway.requests").description("Generation requests by status and outcome")
                .tag("kind", kind).tag("status", Integer.toString(status)).tag("outcome", outcome)
                .register(registry).increment();
    }

    /** A generation sent again after its verifier stopped answering ({@code speculum_gateway_generation_resends_total}). */
    public void resend() {
        Counter.builder("speculum.gateway.generation.resends")
                .description("Generations sent again, from the tokens the client has, after no event for resume-after")
                .register(registry).increment();
    }

    private Timer timer(String name, String description, RequestKind kind) {
        return Timer.builder(name).description(description).tag("kind", kind.limiterName())
                .publishPercentileHistogram().register(registry);
    }
}
