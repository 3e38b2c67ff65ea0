package io.speculum.gateway.detection;

import java.util.List;

/**
 * The body of {@code POST /v1/detect}: one {@code text} or several {@code texts}, the detection methods (absent: every
 * method the detector can run) and {@code tokens: true} for per-token evidence and the highest-scoring spans.
 */
public record DetectBody(String text, List<String> texts, List<String> methods, Boolean tokens) {
}
