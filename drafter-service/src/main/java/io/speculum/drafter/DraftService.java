package io.speculum.drafter;

import io.speculum.drafter.drafters.Draft;
import io.speculum.drafter.drafters.Drafter;
import io.speculum.protocol.DraftProposal;
import io.speculum.math.SparseDistribution;
import io.speculum.protocol.DraftTiming;
import io.speculum.protocol.GenerationState;
import io.speculum.protocol.DraftRelease;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.ProtocolError;
import io.speculum.protocol.ProtocolError.ErrorCode;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers draft requests: resolves a request's delta against the state its generation was last sent with (or asks
 * for the whole state), picks the drafter a request names (or the default), refuses a request for another
 * vocabulary, and always answers, with a draft or with an error the verifier can act on. Stamps each stage of the
 * round on the proposal. Transport-free.
 */
public final class DraftService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DraftService.class);
    /** Generations whose last state is remembered for deltas: far more than any drafter keeps warm in its model. */
    static final int KNOWN_STATES = 4096;
    /** A generation's state is forgotten after this long without draft requests (the verifier then resends it). */
    static final Duration KNOWN_STATE_IDLE = Duration.ofMinutes(2);

    private final Map<String, Drafter> drafters = new LinkedHashMap<>();
    private final String defaultDrafter;
    private final KnownStates known;

    public DraftService(List<Drafter> drafters, String defaultDrafter) {
        this(drafters, defaultDrafter, new KnownStates(KNOWN_STATES, KNOWN_STATE_IDLE));
    }

    DraftService(List<Drafter> drafters, String defaultDrafter, KnownStates known) {
        drafters.forEach(d -> this.drafters.put(d.name(), d));
        if (!this.drafters.containsKey(defaultDrafter)) {
            throw new IllegalArgumentException("default drafter '" + defaultDrafter + "' is not among " + this.drafters.keySet());
        }
        this.defaultDrafter = defaultDrafter;
        this.known = known;
    }

    public List<String> drafterNames() {
        return List.copyOf(drafters.keySet());
    }

    public Drafter drafter(String name) {
        return drafters.get(name);
    }

    /** Proposes for {@code sent}; {@code reply} receives exactly one proposal, possibly carrying an error. */
    public CompletableFuture<DraftProposal> handle(DraftRequest sent, Consumer<DraftProposal> reply) {
        long received = DraftTiming.nowMicros();
        String name = sent.drafter() == null || sent.drafter().isBlank() ? defaultDrafter : sent.drafter();
        Drafter drafter = drafters.get(name);
        if (drafter == null) {
            return answer(reply, failed(sent, name, null, received, ErrorCode.DRAFTER_FAILED,
                    "unknown drafter '" + name + "'; this drafter-service has " + drafters.keySet()));
        }
        DraftRequest request = known.resolve(sent);
        if (request == null) {
            return answer(reply, failed(sent, name, drafter.vocabulary(), received, ErrorCode.STATE_NEEDED,
                    "this drafter holds no state of " + sent.requestId() + " with " + sent.delta().from()
                            + " tokens to apply the delta to; send the whole state"));
        }
        if (!drafter.vocabulary().equals(request.state().vocabulary())) {
            return answer(reply, failed(request, name, drafter.vocabulary(), received, ErrorCode.VOCABULARY_MISMATCH,
                    "drafter '" + name + "' has vocabulary " + drafter.vocabulary() + ", the request's model has "
                            + request.state().vocabulary()));
        }
        if (request.asksOnlyAhead()) {
            return predraft(drafter, name, request, request.ahead(), request.round(), received, reply);
        }
        return drafter.propose(request).handle((draft, failure) -> {
            if (failure != null) {
                LOG.warn("Drafter {} failed for {}", name, request.requestId(), failure);
                return failed(request, name, drafter.vocabulary(), received, ErrorCode.DRAFTER_FAILED,
                        "drafter '" + name + "' failed: " + failure.getMessage());
            }
            return new DraftProposal(request.requestId(), request.round(), request.basis(), name, drafter.vocabulary(),
                    draft.tokens(), draft.distributions(), null, timing(request, received, draft), draft.parents());
        }).thenCompose(p -> {
            reply.accept(p);
            if (request.pipelined() && p.error() == null && p.tokens().length > 0 && !p.isTree()) {
                return predraft(drafter, name, request, p.tokens(), request.round() + 1, received, reply).thenApply(ignored -> p);
            }
            return CompletableFuture.completedFuture(p);
        });
    }

    /**
     * Pipelined drafting: the draft for {@code round}, continuing the committed tokens followed by {@code verifying}
     * (what the verifier is verifying now) and the drafter's own guess of the verifier's next token. Always answers:
     * without a guess, with an empty proposal that tells the verifier not to wait for one.
     */
    private CompletableFuture<DraftProposal> predraft(Drafter drafter, String name, DraftRequest request, int[] verifying,
                                                      int round, long received, Consumer<DraftProposal> reply) {
        GenerationState state = request.state();
        int[] basis = Arrays.copyOf(state.tokens(), state.tokens().length + verifying.length);
        System.arraycopy(verifying, 0, basis, state.tokens().length, verifying.length);
        DraftRequest ahead = new DraftRequest(state.at(round, basis), request.maxDraftTokens() + 1, request.drafter(),
                request.sentAtMicros());
        return drafter.propose(ahead).handle((draft, failure) -> {
            if (failure != null) {
                LOG.debug("Drafter {} could not pre-draft for {}", name, request.requestId(), failure);
            }
            boolean guessed = failure == null && draft.tokens().length > 0;
            int[] assumed = guessed ? Arrays.copyOf(verifying, verifying.length + 1) : verifying;
            if (guessed) {
                assumed[verifying.length] = draft.tokens()[0];
            }
            int[] tokens = guessed ? Arrays.copyOfRange(draft.tokens(), 1, draft.tokens().length) : new int[0];
            List<SparseDistribution> distributions = !guessed || draft.distributions().isEmpty() ? List.of()
                    : draft.distributions().subList(1, draft.distributions().size());
            DraftProposal proposal = new DraftProposal(request.requestId(), round, state.tokens().length + assumed.length, name,
                    drafter.vocabulary(), tokens, distributions, null, timing(request, received, guessed ? draft : null), null,
                    assumed);
            reply.accept(proposal);
            return proposal;
        });
    }

    private static DraftTiming timing(DraftRequest request, long received, Draft draft) {
        long ended = DraftTiming.nowMicros();
        long started = draft != null && draft.startedMicros() > 0 ? draft.startedMicros() : received;
        return new DraftTiming(request.sentAtMicros(), received, started, ended, ended);
    }

    /** Lets every drafter drop what it keeps for a finished request; failures are logged, never thrown. */
    public CompletableFuture<Void> release(DraftRelease release) {
        known.forget(release.requestId());
        return CompletableFuture.allOf(drafters.values().stream()
                .map(d -> d.release(release.requestId()).exceptionally(failure -> {
                    LOG.debug("Drafter {} could not release {}", d.name(), release.requestId(), failure);
                    return null;
                }))
                .toArray(CompletableFuture[]::new));
    }

    private static DraftProposal failed(DraftRequest request, String drafter, String vocabulary, long received,
                                        ErrorCode code, String message) {
        long now = DraftTiming.nowMicros();
        return DraftProposal.failed(request, drafter, vocabulary, new ProtocolError(code, message),
                new DraftTiming(request.sentAtMicros(), received, received, now, now));
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
