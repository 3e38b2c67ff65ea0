package io.speculum.protocol.detection;

import java.util.List;

/**
 * The answer to a {@link DetectRequest}: one result per text, in request order, or an error (then no results).
 *
 * @param observers which observer model(s) scored, e.g. {@code stories260K} or {@code stories260K+stories260K-q8_0}
 */
public record DetectReply(String requestId, String observers, List<TextDetection> results, DetectionError error) {

    public DetectReply {
        results = results == null ? List.of() : List.copyOf(results);
    }

    public static DetectReply failed(String requestId, String observers, DetectionError error) {
        return new DetectReply(requestId, observers, List.of(), error);
    }

    public boolean ok() {
        return error == null;
    }
}
