package io.speculum.gateway.backend;

import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolError.ErrorCode;
import io.speculum.protocol.ResumePoint;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One request's events as they arrive on the reply topic: the first event on its own (the response status depends on
 * it), the rest as a stream. Each completion position is forwarded once: a round event is cut to the positions (and
 * text) not forwarded yet and dropped when it has none, so redelivered events and a second verifier that goes on with
 * (or replays) the generation add nothing twice; nothing follows the terminal event. It keeps the tokens forwarded, so
 * that the request can be sent again from there ({@link #resumePoint()}) when its verifier stops answering. Fed by
 * the one reply-listener thread, read by the HTTP side.
 */
final class PendingGeneration {

    private static final Logger LOG = LoggerFactory.getLogger(PendingGeneration.class);

    private final GenerateRequest request;
    private final CompletableFuture<GenerationEvent> first = new CompletableFuture<>();
    private final Sinks.Many<GenerationEvent> rest = Sinks.many().unicast().onBackpressureBuffer();
    private int[] tokens = new int[16];
    private int positions;
    private int codePoints;
    private volatile CompletableFuture<Void> sent = CompletableFuture.completedFuture(null);
    private int lastRound = -1;
    private int resends;
    private long lastHeardNanos = System.nanoTime();
    private boolean started;
    private boolean ended;

    PendingGeneration(GenerateRequest request) {
        this.request = request;
    }

    String requestId() {
        return request.requestId();
    }

    GenerateRequest request() {
        return request;
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
        lastHeardNanos = System.nanoTime();
        lastRound = Math.max(lastRound, event.round());
        if (event instanceof GenerationEvent.Round round) {
            GenerationEvent.Round fresh = round.after(positions, codePoints);
            if (fresh == null) {
                return false; // every position already forwarded
            }
            if (fresh.position() > positions) {
                LOG.warn("{}: an event from position {} while {} were forwarded; dropped", request.requestId(), fresh.position(), positions);
                return false;
            }
            remember(fresh);
            event = fresh;
        } else if (event instanceof GenerationEvent.Error error && error.code() == ErrorCode.OVERLOADED && started && resends > 0) {
            // a full replica refused a copy sent again: the generation goes on where it is served, or is sent again
            return false;
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

    private void remember(GenerationEvent.Round round) {
        if (positions + round.tokens().length > tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(2 * tokens.length, positions + round.tokens().length));
        }
        System.arraycopy(round.tokens(), 0, tokens, positions, round.tokens().length);
        positions = Math.max(positions, round.end());
        codePoints += round.text().codePointCount(0, round.text().length());
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

    /** Nanoseconds since the last event (or since it was sent, or sent again). */
    synchronized long silentNanos(long nowNanos) {
        return nowNanos - lastHeardNanos;
    }

    /**
     * Where a verifier should go on from when the request is sent again: after the tokens forwarded, numbering its
     * rounds after the last one heard of. Counts the resend and restarts the silence.
     */
    synchronized ResumePoint resumePoint() {
        resends++;
        lastHeardNanos = System.nanoTime();
        return new ResumePoint(lastRound + 1, Arrays.copyOf(tokens, positions));
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
