package io.speculum.gateway.detection;

import io.speculum.protocol.detection.TextDetection;
import java.util.List;

/**
 * The answer of {@code POST /v1/detect}: the detector's result per text, in request order (fields as in
 * docs/schema/detect-reply.schema.json).
 *
 * @param observers the observer model(s) that scored, e.g. {@code stories260K}
 */
public record DetectResponse(String id, String object, long created, String observers, List<TextDetection> results) {
}
