package io.speculum.protocol;

/**
 * Stop a generation (e.g. the client disconnected); it ends with a {@code done} event, finish reason CANCELLED. On the
 * cascade topic: stop a cascade request; it ends with an error reply, code CANCELLED.
 */
public record CancelRequest(String requestId, String reason) implements GenerateTopicRecord, CascadeTopicRecord {
}
