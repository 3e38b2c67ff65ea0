package io.speculum.drafter.drafters;

import io.speculum.protocol.DraftRequest;
import java.util.concurrent.CompletableFuture;

/** A source of draft tokens. One class per kind; the service picks one by name per request. */
public interface Drafter extends AutoCloseable {

    /** The name requests ask for this drafter by, e.g. "model". */
    String name();

    /** The fingerprint of the vocabulary the drafter's token ids belong to. */
    String vocabulary();

    /** Proposes up to {@code request.maxDraftTokens()} tokens continuing {@code request.state().tokens()}. */
    CompletableFuture<Draft> propose(DraftRequest request);

    /** Drops what the drafter keeps for a finished request (done when it completes); nothing by default. */
    default CompletableFuture<Void> release(String requestId) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    default void close() {
    }
}
