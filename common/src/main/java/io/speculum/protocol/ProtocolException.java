package io.speculum.protocol;

/** A message that cannot be read or written as protocol JSON. */
public class ProtocolException extends RuntimeException {
    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
