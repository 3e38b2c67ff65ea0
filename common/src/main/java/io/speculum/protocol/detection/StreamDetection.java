package io.speculum.protocol.detection;

/**
 * What stream-to-stream detection publishes for one input record (same key): where the text came from and its result.
 */
public record StreamDetection(String sourceTopic, int sourcePartition, long sourceOffset, String observers,
                              TextDetection result) {
}
