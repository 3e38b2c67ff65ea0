package io.speculum.llama;

/**
 * A failure reported by, or detected before calling into, the native llama.cpp library. The {@link Code} lets
 * services map it onto protocol errors without parsing messages.
 */
public class LlamaException extends RuntimeException {

    /** What went wrong, in terms a caller can act on. */
    public enum Code {
        LIBRARY_UNAVAILABLE,
        LIBRARY_MISMATCH,
        MODEL_NOT_FOUND,
        MODEL_INVALID,
        UNSUPPORTED,
        INVALID_ARGUMENT,
        INVALID_TOKEN,
        CONTEXT_OVERFLOW,
        BATCH_OVERFLOW,
        KV_CACHE_FULL,
        DECODE_FAILED,
        SATURATED,
        WRONG_THREAD,
        CLOSED
    }

    private final Code code;

    public LlamaException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public LlamaException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }

    /** Wraps a Throwable thrown by a method handle; keeps our own exceptions as they are. */
    static LlamaException wrap(String what, Throwable t) {
        if (t instanceof LlamaException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new LlamaException(Code.LIBRARY_UNAVAILABLE, what + " failed: " + t, t);
    }
}
