package io.speculum.gateway.detection;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.speculum.gateway.GatewayMetrics;
import io.speculum.gateway.backend.BackendGuard;
import io.speculum.gateway.backend.OneReplyClient;
import io.speculum.gateway.backend.ReplyRouter;
import io.speculum.gateway.openai.ApiException;
import io.speculum.protocol.Topics;
import io.speculum.protocol.detection.DetectReply;
import io.speculum.protocol.detection.DetectRequest;
import io.speculum.protocol.detection.DetectionError;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * {@code POST /v1/detect}: checks the body, sends one {@link DetectRequest} to {@code llm.detect} and answers with the
 * detector's one reply, behind the bulkhead {@code detections}, the circuit breaker {@code detect-path} and the time
 * limiter {@code detect}. The detector's error codes become OpenAI-style errors (400, 413, 422, 503).
 */
@Service
public class DetectionService {

    static final String BULKHEAD = "detections";
    public static final String CIRCUIT_BREAKER = "detect-path";
    static final String TIME_LIMITER = "detect";

    private final OneReplyClient client;
    private final GatewayMetrics metrics;
    private final BackendGuard guard;

    DetectionService(OneReplyClient client, BulkheadRegistry bulkheads, GatewayMetrics metrics, CircuitBreakerRegistry circuitBreakers,
            TimeLimiterRegistry timeLimiters) {
        this.client = client;
        this.metrics = metrics;
        this.guard = new BackendGuard("the detector", bulkheads.bulkhead(BULKHEAD),
                circuitBreakers.circuitBreaker(CIRCUIT_BREAKER), timeLimiters.timeLimiter(TIME_LIMITER));
    }

    public Mono<DetectResponse> detect(DetectBody body) {
        return Mono.defer(() -> {
            boolean single = body != null && body.texts() == null;
            List<String> texts = texts(body);
            List<String> methods = methods(body.methods());
            String id = ReplyRouter.DETECT_PREFIX + UUID.randomUUID();
            long created = System.currentTimeMillis();
            DetectRequest request = new DetectRequest(id, client.replyTopic(), texts, methods,
                    Boolean.TRUE.equals(body.tokens()), created);
            return guard.run(deadline -> client.call(Topics.DETECT, id, request, DetectReply.class))
                    .map(reply -> {
                        if (!reply.ok()) {
                            throw fromError(reply.error(), single);
                        }
                        return new DetectResponse(id, "detection", created / 1000, reply.observers(), reply.results());
                    })
                    .doOnSuccess(response -> metrics.request(TIME_LIMITER, 200, "ok"))
                    .doOnError(ApiException.class, failure -> metrics.request(TIME_LIMITER, failure.status().value(),
                            failure.body().error().code()));
        });
    }

    private static List<String> texts(DetectBody body) {
        if (body == null) {
            throw ApiException.invalid(null, "the request body is missing");
        }
        if ((body.text() == null) == (body.texts() == null)) {
            throw ApiException.invalid(body.text() == null ? "text" : "texts", "give either text or texts, not both and not neither");
        }
        if (body.text() != null) {
            return List.of(body.text());
        }
        if (body.texts().isEmpty()) {
            throw ApiException.invalid("texts", "texts must be a non-empty array of strings");
        }
        List<String> texts = new ArrayList<>(body.texts().size());
        for (int i = 0; i < body.texts().size(); i++) {
            if (body.texts().get(i) == null) {
                throw ApiException.invalid("texts[" + i + "]", "texts must hold strings only");
            }
            texts.add(body.texts().get(i));
        }
        return texts;
    }

    private static List<String> methods(List<String> methods) {
        if (methods == null) {
            return List.of();
        }
        for (int i = 0; i < methods.size(); i++) {
            if (methods.get(i) == null || methods.get(i).isBlank()) {
                throw ApiException.invalid("methods[" + i + "]", "a method name is missing");
            }
        }
        return methods;
    }

    /** A detector error as the HTTP error a client should see; {@code param} names the text it concerns. */
    static ApiException fromError(DetectionError error, boolean single) {
        String param = error.textIndex() == null ? null : single ? "text" : "texts[" + error.textIndex() + "]";
        String message = error.message();
        return switch (error.code()) {
            case INVALID_REQUEST, EMPTY_TEXT, TEXT_TOO_SHORT, INVALID_UTF8 ->
                    ApiException.invalid(param == null ? "texts" : param, error.code().name().toLowerCase(), message);
            case BATCH_TOO_LARGE -> new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "invalid_request_error", "texts",
                    "batch_too_large", message, null);
            case UNKNOWN_METHOD, METHOD_UNAVAILABLE, VOCABULARY_MISMATCH -> new ApiException(HttpStatus.UNPROCESSABLE_CONTENT,
                    "invalid_request_error", "methods", error.code().name().toLowerCase(), message, null);
            case OVERLOADED -> ApiException.unavailable("overloaded", message, ApiException.BUSY_RETRY);
            case INTERNAL -> ApiException.internal("detector: " + message);
        };
    }
}
