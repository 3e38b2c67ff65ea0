package io.speculum.protocol.detection;

/**
 * Why a detection failed.
 *
 * @param textIndex the offending text's index in the request, null when the request as a whole is at fault
 */
public record DetectionError(Code code, String message, Integer textIndex) {

    public enum Code {
        /** The request is malformed (no texts, no reply topic, …). */
        INVALID_REQUEST,
        /** A text is empty or only whitespace. */
        EMPTY_TEXT,
        /** A text has fewer tokens than a score needs (at least two). */
        TEXT_TOO_SHORT,
        /** A text is not valid UTF-8 (or holds unpaired surrogates that cannot be encoded as UTF-8). */
        INVALID_UTF8,
        /** More texts, or more tokens in total, than the service accepts in one request. */
        BATCH_TOO_LARGE,
        /** A method name the service does not know. */
        UNKNOWN_METHOD,
        /** A known method that this service's setup cannot run (e.g. no second observer, no frequency table). */
        METHOD_UNAVAILABLE,
        /** The two observers do not share a vocabulary. */
        VOCABULARY_MISMATCH,
        /** The service's queue is full; retry later. */
        OVERLOADED,
        INTERNAL
    }
}
