package io.speculum.drafter;

import io.speculum.protocol.DraftProposal;
import io.speculum.protocol.DraftRelease;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.ProtocolError;
import io.speculum.protocol.ProtocolError.ErrorCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers draft requests: picks the drafter a request names (or the default), refuses a request for another
 * vocabulary, and always answers, with a draft or with an error the verifier can act on. Transport-free.
 */
public final class DraftService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DraftService.class);

    private final Map<String, Drafter> drafters = new LinkedHashMap<>();
    private final String defaultDrafter;

    public DraftService(List<Drafter> drafters, String defaultDrafter) {
        drafters.forEach(d -> this.drafters.put(d.name(), d));
        if (!this.drafters.containsKey(defaultDrafter)) {
            throw new IllegalArgumentException("default drafter '" + defaultDrafter + "' is not among " + this.drafters.keySet());
        }
        this.defaultDrafter = defaultDrafter;
    }

    public List<String> drafterNames() {
        return List.copyOf(drafters.keySet());
    }

    public Drafter drafter(String name) {
        return drafters.get(name);
    }

    /** Proposes for {@code request}; {@code reply} receives exactly one proposal, possibly carrying an error. */
    public CompletableFuture<DraftProposal> handle(DraftRequest request, Consumer<DraftProposal> reply) {
        long started = System.nanoTime();
        String name = request.drafter() == null || request.drafter().isBlank() ? defaultDrafter : request.drafter();
        Drafter drafter = drafters.get(name);
        if (drafter == null) {
            return answer(reply, DraftProposal.failed(request.state(), name, null, new ProtocolError(ErrorCode.DRAFTER_FAILED,
                    "unknown drafter '" + name + "'; this drafter-service has " + drafters.keySet())));
        }
        if (!drafter.vocabulary().equals(request.state().vocabulary())) {
            return answer(reply, DraftProposal.failed(request.state(), name, drafter.vocabulary(), new ProtocolError(
                    ErrorCode.VOCABULARY_MISMATCH, "drafter '" + name + "' has vocabulary " + drafter.vocabulary()
                            + ", the request's model has " + request.state().vocabulary())));
        }
        return drafter.propose(request).handle((draft, failure) -> {
            if (failure != null) {
                LOG.warn("Drafter {} failed for {}", name, request.state().requestId(), failure);
                return DraftProposal.failed(request.state(), name, drafter.vocabulary(),
                        new ProtocolError(ErrorCode.DRAFTER_FAILED, "drafter '" + name + "' failed: " + failure.getMessage()));
            }
            return new DraftProposal(request.state(), name, drafter.vocabulary(), draft.tokens(), draft.distributions(),
                    (System.nanoTime() - started) / 1e6, null, System.currentTimeMillis(), draft.parents());
        }).thenApply(p -> {
            reply.accept(p);
            return p;
        });
    }

    /** Lets every drafter drop what it keeps for a finished request; failures are logged, never thrown. */
    public CompletableFuture<Void> release(DraftRelease release) {
        return CompletableFuture.allOf(drafters.values().stream()
                .map(d -> d.release(release.requestId()).exceptionally(failure -> {
                    LOG.debug("Drafter {} could not release {}", d.name(), release.requestId(), failure);
                    return null;
                }))
                .toArray(CompletableFuture[]::new));
    }

    private static CompletableFuture<DraftProposal> answer(Consumer<DraftProposal> reply, DraftProposal proposal) {
        reply.accept(proposal);
        return CompletableFuture.completedFuture(proposal);
    }

    @Override
    public void close() {
        drafters.values().forEach(Drafter::close);
    }
}
