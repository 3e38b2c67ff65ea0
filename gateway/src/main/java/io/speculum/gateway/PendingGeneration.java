package io.speculum.gateway;

import io.speculum.protocol.GenerationEvent;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One request's events as they arrive on the reply topic: the first event on its own (the response status depends on
 * it), the rest as a stream. Duplicates (at-least-once delivery) are dropped by round; nothing follows the terminal
 * event. Fed by the one reply-listener thread, read by the HTTP side.
 */
final class PendingGeneration {

    private final String requestId;
    private final CompletableFuture<GenerationEvent> first = new CompletableFuture<>();
    private final Sinks.Many<GenerationEvent> rest = Sinks.many().unicast().onBackpressureBuffer();
    private volatile CompletableFuture<Void> sent = CompletableFuture.completedFuture(null);
    private int lastRound = -1;
    private boolean started;
    private boolean ended;

    PendingGeneration(String requestId) {
        this.requestId = requestId;
    }

    String requestId() {
        return requestId;
    }

    /** The request's send: completes when the broker has the request, fails when it could not be sent. */
    void sent(CompletableFuture<Void> send) {
        this.sent = send;
    }

    CompletableFuture<Void> sent() {
        return sent;
    }

    /** Takes one event; true when the generation has ended (with this event or before). */
    synchronized boolean accept(GenerationEvent event) {
        if (ended) {
            return true;
        }
        if (event instanceof GenerationEvent.Round round) {
            if (round.round() <= lastRound) {
                return false;
            }
            lastRound = round.round();
        }
        ended = event.ends();
        if (!started) {
            started = true;
            first.complete(event);
        } else {
            rest.tryEmitNext(event);
        }
        if (ended) {
            rest.tryEmitComplete();
        }
        return ended;
    }

    /** Ends the generation with a failure on the gateway's side (the request could not be sent). */
    synchronized void fail(Throwable failure) {
        if (ended) {
            return;
        }
        ended = true;
        if (!started) {
            started = true;
            first.completeExceptionally(failure);
        } else {
            rest.tryEmitError(failure);
        }
    }

    synchronized boolean ended() {
        return ended;
    }

    /** The first event (a round, or a terminal event when the request failed at once). */
    Mono<GenerationEvent> first() {
        return Mono.fromFuture(first, true);
    }

    /** The events after the first, completing after the terminal one. */
    Flux<GenerationEvent> rest() {
        return rest.asFlux();
    }
}
