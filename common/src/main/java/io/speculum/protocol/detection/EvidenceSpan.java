package io.speculum.protocol.detection;

/**
 * A run of consecutive tokens whose contributions add up to the most machine-like evidence.
 *
 * @param firstToken index of its first token in {@link TextDetection#tokens()}
 * @param lastToken  index of its last token (inclusive)
 */
public record EvidenceSpan(int firstToken, int lastToken, int start, int end, String text, double contribution) {
}
