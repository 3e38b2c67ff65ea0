package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.speculum.math.SamplingParams;
import java.util.List;

/**
 * A request to the cascade router ({@link Topics#CASCADE}): the small model answers first; the router defers to the
 * large model when the small answer's token-level uncertainty scores above the threshold. One {@link CascadeReply}
 * comes back on {@code replyTopic}, keyed by the request id.
 *
 * @param prompt           the prompt text (already rendered with a chat template where that applies)
 * @param threshold        optional: this request's deferral threshold instead of the router's configured one
 * @param deadlineAtMillis epoch millis by which it must be answered, 0 for the router's own time limits only
 * @param routing          {@code DEFER} (absent: the default) or {@code TOKEN}: token-level routing, lossy (see
 *                         {@link CascadeRouting})
 * @param tokenThreshold   optional, {@code TOKEN} only: hand a token to the large model when the small model's
 *                         surprisal {@code -log p} of it is above this, instead of the router's configured one
 */
public record CascadeRequest(
        String requestId,
        String replyTopic,
        String prompt,
        int maxTokens,
        SamplingParams sampling,
        List<String> stop,
        Double threshold,
        @JsonProperty(defaultValue = "0") long createdAtMillis,
        @JsonProperty(defaultValue = "0") long deadlineAtMillis,
        @JsonProperty(defaultValue = "DEFER") CascadeRouting routing,
        Double tokenThreshold) implements CascadeTopicRecord {

    public CascadeRequest {
        stop = stop == null ? List.of() : List.copyOf(stop);
        sampling = sampling == null ? SamplingParams.greedy() : sampling;
        routing = routing == null ? CascadeRouting.DEFER : routing;
    }

    /** A deferring request (the sequence-level cascade). */
    public CascadeRequest(String requestId, String replyTopic, String prompt, int maxTokens, SamplingParams sampling,
                          List<String> stop, Double threshold, long createdAtMillis, long deadlineAtMillis) {
        this(requestId, replyTopic, prompt, maxTokens, sampling, stop, threshold, createdAtMillis, deadlineAtMillis, null, null);
    }
}
