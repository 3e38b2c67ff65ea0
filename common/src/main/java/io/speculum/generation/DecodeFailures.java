package io.speculum.generation;

import io.speculum.llama.LlamaException;
import io.speculum.protocol.ProtocolError;
import io.speculum.protocol.ProtocolError.ErrorCode;
import java.util.concurrent.CompletionException;

/** What a client is told when a decode for its generation fails: one classification for every generating service. */
public final class DecodeFailures {

    private DecodeFailures() {
    }

    /** The failure itself, out of the {@link CompletionException} a dependent future wraps it in. */
    public static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /**
     * OVERLOADED when the engine's queue is full (the client may retry), INTERNAL otherwise.
     *
     * @param server what decodes, as the message names it (e.g. "verifier")
     */
    public static ProtocolError toError(Throwable cause, String server) {
        if (cause instanceof LlamaException e && e.code() == LlamaException.Code.SATURATED) {
            return new ProtocolError(ErrorCode.OVERLOADED, "The " + server + "'s engine is saturated; retry later");
        }
        return new ProtocolError(ErrorCode.INTERNAL, "Decoding failed: " + cause.getMessage());
    }
}
