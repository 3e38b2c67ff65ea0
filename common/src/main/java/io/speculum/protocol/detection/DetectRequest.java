package io.speculum.protocol.detection;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A request to score texts (topic {@code llm.detect}, keyed by request id); the one {@link DetectReply} goes to
 * {@code replyTopic}.
 *
 * @param texts   the texts, scored together in one batched decode (at most the service's batch limit)
 * @param methods method names (see docs/detection.md); empty or null for every method the service can run
 * @param tokens  include per-token evidence and the highest-scoring spans in the reply
 */
public record DetectRequest(String requestId, String replyTopic, List<String> texts, List<String> methods,
                            @JsonProperty(defaultValue = "false") boolean tokens,
                            @JsonProperty(defaultValue = "0") long createdAtMillis) {

    public DetectRequest {
        methods = methods == null ? List.of() : List.copyOf(methods);
    }
}
