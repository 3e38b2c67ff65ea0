package io.speculum.bench;

import io.speculum.drafter.DraftService;
import io.speculum.drafter.drafters.Drafter;
import io.speculum.llama.ContextOptions;
import io.speculum.llama.EngineOptions;
import io.speculum.llama.InferenceEngine;
import io.speculum.llama.Model;
import io.speculum.protocol.DraftRelease;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.verifier.SpeculativeVerifier;
import io.speculum.verifier.VerifierOutput;
import io.speculum.verifier.VerifierSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The verifier and the drafters in one process, connected by method calls as the core tests connect them: the
 * verifier-service's logic without Kafka. The verifier's context is configured as the verifier-service configures
 * it (batch-invariant, one KV sequence per session).
 */
final class InProcessSpeculation implements AutoCloseable {

    /** {@code -Dbench.batch-invariant=false}: the verifier's fastest kernels (as speculum.verifier.batch-invariant). */
    static final boolean BATCH_INVARIANT = Boolean.parseBoolean(BenchSettings.property("bench.batch-invariant", "true"));

    private final DraftService drafts;
    private final SpeculativeVerifier verifier;
    private final Link link;
    private final InferenceEngine engine;

    InProcessSpeculation(Model target, int sessions, int batchSize, int threads, Duration draftTimeout, List<Drafter> drafters,
                         ScheduledExecutorService timer) {
        this(target, sessions, batchSize, threads, draftTimeout, drafters, 1, timer);
    }

    /** With {@code treeBranches} > 1 drafters are asked for token trees (as {@code speculum.verifier.tree-branches}). */
    InProcessSpeculation(Model target, int sessions, int batchSize, int threads, Duration draftTimeout, List<Drafter> drafters,
                         int treeBranches, ScheduledExecutorService timer) {
        this(target, sessions, batchSize, threads, draftTimeout, drafters, treeBranches, false, timer);
    }

    /** With {@code deterministic}, the verifier's engine as {@code speculum.verifier.deterministic=true} builds it. */
    InProcessSpeculation(Model target, int sessions, int batchSize, int threads, Duration draftTimeout, List<Drafter> drafters,
                         int treeBranches, boolean deterministic, ScheduledExecutorService timer) {
        this.drafts = new DraftService(drafters, drafters.getFirst().name());
        VerifierSettings settings = VerifierSettings.defaults(Requests.MODEL, BenchModels.SEQUENCE_CONTEXT)
                .withCapacity(sessions, 64).withDraftTimeout(draftTimeout).withTreeBranches(treeBranches);
        // tree branches share the committed history's cells; only their own tokens (one batch at most) need more
        int cells = BenchModels.SEQUENCE_CONTEXT * sessions + (treeBranches > 1 ? batchSize : 0);
        this.engine = new InferenceEngine(target, ContextOptions.defaults(ContextOptions.cellsFor(cells, deterministic))
                .withMaxSequences(settings.engineSequences()).withBatchSize(batchSize).withThreads(threads).withBatchInvariance(BATCH_INVARIANT)
                .withDeterminism(deterministic),
                EngineOptions.named("bench-verifier"));
        this.link = new Link(drafts);
        this.verifier = new SpeculativeVerifier(target, engine, settings, link, timer);
        link.verifier = verifier;
    }

    /** Sends every request at once and waits for all of them to end. */
    Wave run(List<GenerateRequest> requests) throws Exception {
        long started = System.nanoTime();
        List<CompletableFuture<Generation>> ends = new ArrayList<>();
        for (GenerateRequest request : requests) {
            ends.add(link.expect(request.requestId(), started));
        }
        for (GenerateRequest request : requests) {
            verifier.onGenerate(request);
        }
        List<Generation> generations = new ArrayList<>();
        for (CompletableFuture<Generation> end : ends) {
            generations.add(end.get(30, TimeUnit.MINUTES));
        }
        return new Wave(generations, (System.nanoTime() - started) / 1e9);
    }

    /** Rounds that found no draft within the verifier's deadline and were decoded without one, so far. */
    long draftTimeouts() {
        return verifier.statistics().draftTimeouts();
    }

    /** The verifier engine's counters: sessions per decode. */
    io.speculum.llama.EngineStatistics engineStatistics() {
        return engine.statistics();
    }

    @Override
    public void close() {
        verifier.close();
        engine.close();
        drafts.close();
    }

    /** The verifier's output, delivered in-process: replies collected per request, drafts asked of the drafters. */
    private static final class Link implements VerifierOutput {

        private final DraftService drafts;
        private final Map<String, List<GenerationEvent>> events = new ConcurrentHashMap<>();
        private final Map<String, CompletableFuture<Generation>> ends = new ConcurrentHashMap<>();
        private final Map<String, Long> starts = new ConcurrentHashMap<>();
        volatile SpeculativeVerifier verifier;

        Link(DraftService drafts) {
            this.drafts = drafts;
        }

        CompletableFuture<Generation> expect(String id, long startedNanos) {
            starts.put(id, startedNanos);
            return ends.computeIfAbsent(id, x -> new CompletableFuture<>());
        }

        @Override
        public void reply(String replyTopic, GenerationEvent event) {
            String id = event.requestId();
            List<GenerationEvent> list = events.computeIfAbsent(id, x -> new CopyOnWriteArrayList<>());
            list.add(event);
            if (event.ends()) {
                events.remove(id);
                CompletableFuture<Generation> end = ends.remove(id);
                Long started = starts.remove(id);
                if (end != null) {
                    try {
                        end.complete(Generation.of(id, list, (System.nanoTime() - started) / 1e9));
                    } catch (RuntimeException e) {
                        end.completeExceptionally(e);
                    }
                }
            }
        }

        @Override
        public void requestDraft(DraftRequest request) {
            drafts.handle(request, verifier::onProposal);
        }

        @Override
        public void releaseDrafts(DraftRelease release) {
            drafts.release(release);
        }
    }
}
