package io.speculum.drafter.drafters;

import io.speculum.llama.DecodeBatch;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.InferenceEngine;
import io.speculum.llama.Model;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.DraftTiming;
import io.speculum.protocol.GenerationState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drafts with a small model that shares the verifier's vocabulary (a separately trained sibling, or one derived with
 * {@code DrafterDeriver}). Each request's chain is a {@link ChainDraft}.
 *
 * <p>Drafting is batched across requests (continuous batching on the drafter's side): one task on the engine's
 * thread steps every waiting chain through one decode per drafted position, and chains that arrive meanwhile join at
 * the next step, so 16 concurrent requests cost about one request's number of decodes, not 16 times as many. The task
 * uses the context directly, with no thread hand-off per drafted token, and runs while chains are waiting.
 */
public final class ModelDrafter implements Drafter {

    private static final Logger LOG = LoggerFactory.getLogger(ModelDrafter.class);
    /** The uniform stream drafters sample with, independent of the verifier's streams. */
    public static final int STREAM_DRAFT = 3;
    /** The stream of a tree's second candidate at a position: an independent draw from the same distribution. */
    public static final int STREAM_DRAFT_SIBLING = 4;
    /**
     * In a tree, a position whose top probability is below this also gets the second candidate, as a leaf: where the
     * drafter hesitates a second guess is often right, and it costs one more token in the verifier's decode and no
     * drafter decode at all (DySpec's observation: widen where the draft distribution is flat).
     */
    public static final double SIBLING_BELOW = 0.8;

    private final String name;
    private final InferenceEngine engine;
    private final String vocabulary;
    private final SequenceSlots slots;
    private final Queue<ChainDraft> arriving = new ConcurrentLinkedQueue<>();
    private final Queue<Release> releases = new ConcurrentLinkedQueue<>();

    private record Release(String requestId, CompletableFuture<Void> done) {
    }
    /** A drafting task is queued or running on the engine: arrivals are picked up by it. */
    private final AtomicBoolean drafting = new AtomicBoolean();
    /** Recently released requests (engine thread only): a chain that arrives after its release drafts nothing. */
    private final Map<String, Boolean> released = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > RELEASED_MEMORY;
        }
    };
    private static final int RELEASED_MEMORY = 4096;
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong chains = new AtomicLong();

    /** How long a request's KV sequence stays cached without a draft request, when no release arrives. */
    public static final Duration DEFAULT_IDLE_RELEASE = Duration.ofSeconds(5);

    public ModelDrafter(String name, Model model, InferenceEngine engine) {
        this(name, model, engine, DEFAULT_IDLE_RELEASE);
    }

    public ModelDrafter(String name, Model model, InferenceEngine engine, Duration idleRelease) {
        this.name = name;
        this.engine = engine;
        this.vocabulary = model.vocabulary().fingerprint().toString();
        this.slots = new SequenceSlots(engine.maxSequences(), idleRelease.toNanos());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String vocabulary() {
        return vocabulary;
    }

    @Override
    public CompletableFuture<Draft> propose(DraftRequest request) {
        GenerationState state = request.state();
        int room = engine.positionLimit() - state.tokens().length;
        int k = Math.min(request.maxDraftTokens(), room);
        if (k <= 0) {
            return CompletableFuture.completedFuture(Draft.empty());
        }
        ChainDraft chain = new ChainDraft(state, k, Math.max(0, request.maxBranches() - 1));
        arriving.add(chain);
        schedule();
        return chain.future;
    }

    @Override
    public CompletableFuture<Void> release(String requestId) {
        Release release = new Release(requestId, new CompletableFuture<>());
        releases.add(release);
        schedule();
        return release.done();
    }

    /** Requests whose KV sequence is cached now (read on the engine's thread). */
    public CompletableFuture<Integer> cachedRequests() {
        return engine.submit(context -> slots.cachedRequests());
    }

    /** Decode steps and chains drafted so far: chains per step above one is batching at work. */
    public long decodeSteps() {
        return steps.get();
    }

    public long chainsDrafted() {
        return chains.get();
    }

    private void schedule() {
        if (drafting.compareAndSet(false, true)) {
            engine.submit(this::draftWhileWaiting).exceptionally(failure -> {
                LOG.warn("Drafting on {} failed", name, failure);
                drafting.set(false);
                failAll(failure);
                return null;
            });
        }
    }

    /** On the engine's thread: steps every waiting chain until none is left. */
    private Void draftWhileWaiting(InferenceContext context) {
        List<ChainDraft> active = new ArrayList<>();
        DecodeBatch batch = new DecodeBatch(context.batchSize());
        float[] logits = new float[context.vocabularySize()];
        while (true) {
            applyReleases(context);
            admit(context, active);
            if (active.isEmpty()) {
                drafting.set(false);
                // a chain that arrived after the last look, and found drafting still on, is taken here
                if ((arriving.isEmpty() && releases.isEmpty()) || !drafting.compareAndSet(false, true)) {
                    return null;
                }
                continue;
            }
            try {
                step(context, batch, logits, active);
            } catch (RuntimeException e) {
                for (ChainDraft chain : active) {
                    finish(context, chain, e);
                }
                active.clear();
            }
        }
    }

    /** Gives each arrived chain a KV sequence, cut back to the prefix it shares with the chain's tokens. */
    private void admit(InferenceContext context, List<ChainDraft> active) {
        long now = System.nanoTime();
        for (int sequence : slots.expire(now)) {
            context.truncate(sequence, 0);
        }
        List<ChainDraft> later = new ArrayList<>();
        for (ChainDraft chain; (chain = arriving.poll()) != null; ) {
            if (released.containsKey(chain.requestId)) {
                // a pre-draft that lost the race with its generation's release: nothing to draft for
                ChainDraft ended = chain;
                engine.callbacks().execute(() -> ended.future.complete(Draft.empty()));
                continue;
            }
            SequenceSlots.Slot slot = slots.acquire(chain.requestId, now);
            if (slot == null) {
                later.add(chain); // its request's sequence is busy, or all are: the next step
                continue;
            }
            slot.busy = true;
            chain.slot = slot;
            chain.startedMicros = DraftTiming.nowMicros();
            chain.startAfter(slot.commonPrefix(chain.tokens()));
            context.truncate(slot.sequence, chain.pendingFrom());
            slot.cached = Arrays.copyOf(chain.tokens(), chain.pendingFrom());
            active.add(chain);
        }
        arriving.addAll(later);
    }

    /** One decode for every active chain: what each has pending, logits at the last; finished chains leave. */
    private void step(InferenceContext context, DecodeBatch batch, float[] logits, List<ChainDraft> active) {
        batch.clear();
        int budget = context.batchSize();
        int[] rows = new int[active.size()];
        java.util.Arrays.fill(rows, -1);
        for (int i = 0; i < active.size() && budget > 0; i++) {
            ChainDraft chain = active.get(i);
            int from = chain.pendingFrom();
            int[] tokens = chain.take(budget);
            budget -= tokens.length;
            boolean last = chain.pendingTokens() == 0;
            for (int t = 0; t < tokens.length; t++) {
                int row = batch.add(tokens[t], from + t, chain.slot.sequence, last && t == tokens.length - 1);
                if (last && t == tokens.length - 1) {
                    rows[i] = row;
                }
            }
        }
        context.decode(batch);
        steps.incrementAndGet();
        List<ChainDraft> done = new ArrayList<>();
        for (int i = 0; i < active.size(); i++) {
            if (rows[i] < 0) {
                continue; // more of its prefill next step, or no room in this one
            }
            ChainDraft chain = active.get(i);
            context.copyLogits(rows[i], logits);
            if (chain.accept(logits)) {
                done.add(chain);
            }
        }
        for (ChainDraft chain : done) {
            active.remove(chain);
            finish(context, chain, null);
        }
    }

    private void finish(InferenceContext context, ChainDraft chain, Throwable failure) {
        SequenceSlots.Slot slot = chain.slot;
        slot.busy = false;
        if (failure == null) {
            slot.cached = chain.cachedAfter();
            chains.incrementAndGet();
            Draft draft = chain.result();
            engine.callbacks().execute(() -> chain.future.complete(draft));
        } else {
            slot.cached = new int[0];
            context.truncate(slot.sequence, 0);
            engine.callbacks().execute(() -> chain.future.completeExceptionally(failure));
        }
    }

    private void applyReleases(InferenceContext context) {
        List<Release> later = new ArrayList<>();
        for (Release release; (release = releases.poll()) != null; ) {
            if (slots.isBusy(release.requestId())) {
                later.add(release); // after its chain is drafted
                continue;
            }
            int sequence = slots.release(release.requestId());
            if (sequence >= 0) {
                context.truncate(sequence, 0);
            }
            released.put(release.requestId(), Boolean.TRUE);
            CompletableFuture<Void> done = release.done();
            engine.callbacks().execute(() -> done.complete(null));
        }
        releases.addAll(later);
    }

    private void failAll(Throwable failure) {
        for (ChainDraft chain; (chain = arriving.poll()) != null; ) {
            chain.future.completeExceptionally(failure);
        }
        for (Release release; (release = releases.poll()) != null; ) {
            release.done().completeExceptionally(failure);
        }
    }

    @Override
    public void close() {
        engine.close();
        failAll(new IllegalStateException("drafter " + name + " closed"));
    }
}
