package io.speculum.protocol;

/** Stop a generation (e.g. the client disconnected); it ends with a {@code done} event, finish reason CANCELLED. */
public record CancelRequest(String requestId, String reason) implements GenerateTopicRecord {
}
