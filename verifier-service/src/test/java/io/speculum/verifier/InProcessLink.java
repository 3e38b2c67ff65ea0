package io.speculum.verifier;

import io.speculum.drafter.DraftService;
import io.speculum.protocol.DraftRelease;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.GenerationEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Connects a verifier to a drafter without Kafka and records what the verifier replies: the in-process transport of
 * the core tests. Draft requests can be intercepted (dropped, duplicated) to play the network's tricks.
 */
final class InProcessLink implements VerifierOutput {

    private final Map<String, List<GenerationEvent>> events = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<GenerationEvent>> terminals = new ConcurrentHashMap<>();
    private final List<DraftRequest> draftRequests = new CopyOnWriteArrayList<>();
    private final List<String> releases = new CopyOnWriteArrayList<>();
    private volatile DraftService drafter;
    private volatile SpeculativeVerifier verifier;
    private volatile Consumer<DraftRequest> interceptor;

    InProcessLink drafter(DraftService service) {
        this.drafter = service;
        return this;
    }

    void connect(SpeculativeVerifier verifier) {
        this.verifier = verifier;
    }

    /** Replaces the default forwarding of draft requests (e.g. to drop them, as a dead drafter would). */
    void intercept(Consumer<DraftRequest> interceptor) {
        this.interceptor = interceptor;
    }

    void forward(DraftRequest request) {
        drafter.handle(request, verifier::onProposal);
    }

    @Override
    public void reply(String replyTopic, GenerationEvent event) {
        events.computeIfAbsent(event.requestId(), id -> new CopyOnWriteArrayList<>()).add(event);
        if (event.ends()) {
            CompletableFuture<GenerationEvent> terminal = terminal(event.requestId());
            if (!terminal.complete(event)) {
                throw new AssertionError("a second terminal event for " + event.requestId() + ": " + event);
            }
        }
    }

    @Override
    public void requestDraft(DraftRequest request) {
        draftRequests.add(request);
        Consumer<DraftRequest> custom = interceptor;
        if (custom != null) {
            custom.accept(request);
        } else if (drafter != null) {
            forward(request);
        }
    }

    @Override
    public void releaseDrafts(DraftRelease release) {
        releases.add(release.requestId());
        if (drafter != null) {
            drafter.release(release);
        }
    }

    List<String> releases() {
        return releases;
    }

    CompletableFuture<GenerationEvent> terminal(String requestId) {
        return terminals.computeIfAbsent(requestId, id -> new CompletableFuture<>());
    }

    GenerationEvent awaitEnd(String requestId) {
        try {
            return terminal(requestId).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no terminal event for " + requestId + " (events: " + events(requestId) + ")", e);
        }
    }

    List<GenerationEvent> events(String requestId) {
        return events.getOrDefault(requestId, List.of());
    }

    /** Completion tokens, in order, from the round events of a request. */
    int[] tokens(String requestId) {
        return events(requestId).stream()
                .filter(e -> e instanceof GenerationEvent.Round)
                .flatMapToInt(e -> java.util.Arrays.stream(((GenerationEvent.Round) e).tokens()))
                .toArray();
    }

    String text(String requestId) {
        StringBuilder text = new StringBuilder();
        for (GenerationEvent e : events(requestId)) {
            if (e instanceof GenerationEvent.Round r) {
                text.append(r.text());
            } else if (e instanceof GenerationEvent.Done d) {
                text.append(d.text());
            }
        }
        return text.toString();
    }

    List<DraftRequest> draftRequests() {
        return draftRequests;
    }
}
