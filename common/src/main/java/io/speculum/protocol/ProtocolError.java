package io.speculum.protocol;

/** A machine-readable error code and a message for people. */
public record ProtocolError(ErrorCode code, String message) {

    public enum ErrorCode {
        INVALID_REQUEST,
        PROMPT_TOO_LONG,
        UNKNOWN_MODEL,
        VOCABULARY_MISMATCH,
        OVERLOADED,
        DEADLINE_EXCEEDED,
        DRAFTER_FAILED,
        /** The client cancelled the request (a cascade request's {@link CancelRequest}). */
        CANCELLED,
        INTERNAL
    }
}
