package io.speculum.gateway.backend;

/** The Kafka path failed on this side (a send failed): counted by the circuit breaker, answered with 503. */
final class BackendUnavailableException extends RuntimeException {

    BackendUnavailableException(String message) {
        super(message);
    }
}
