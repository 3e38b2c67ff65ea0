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
        /**
         * A drafter was sent a {@link TokenDelta} whose base it does not hold (another replica, an evicted or lost
         * state): the verifier sends the whole {@link GenerationState} for the same round.
         */
        STATE_NEEDED,
        INTERNAL
    }
}
