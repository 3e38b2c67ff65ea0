package io.speculum.llama;

import io.speculum.llama.LlamaException.Code;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link InferenceContext} owned by one thread, usable from any thread through {@link CompletableFuture}s.
 *
 * <p>Decode requests of different sequences that are waiting together are packed into a single
 * {@code llama_decode} (up to the context's batch size): this is continuous batching, where throughput comes from.
 * Requests for the same sequence keep their order. A request longer than the batch size is decoded alone, in chunks.
 *
 * <p>Futures complete on {@code callbacks} (the common pool by default, with the creating thread's context class
 * loader), never on the inference thread, so
 * callers' continuations cannot stall decoding. The queue is bounded: when full, submissions fail at once with
 * {@link Code#SATURATED} rather than growing memory. {@link #close()} fails what is still queued with
 * {@link Code#CLOSED} and frees the context on its own thread.
 */
public final class InferenceEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceEngine.class);

    /** Work that needs the context itself (KV operations, custom decodes); runs alone on the inference thread. */
    @FunctionalInterface
    public interface ContextTask<T> {
        T run(InferenceContext context) throws Exception;
    }

    private sealed interface Work permits Task, Decode {
        CompletableFuture<?> future();
    }

    private record Task<T>(ContextTask<T> task, CompletableFuture<T> future) implements Work {
    }

    private record Decode(SequenceDecode request, CompletableFuture<SequenceLogits> future) implements Work {
    }

    private static final Work STOP = new Task<>(c -> null, new CompletableFuture<>());

    private final Model model;
    private final EngineOptions options;
    private final Executor callbacks;
    private final LinkedBlockingDeque<Work> queue;
    private final Thread thread;
    private final CompletableFuture<InferenceContext> started = new CompletableFuture<>();
    private volatile boolean closing;
    private volatile InferenceContext context;

    private final AtomicLong decodeCalls = new AtomicLong();
    private final AtomicLong tokensDecoded = new AtomicLong();
    private final AtomicLong requestsDecoded = new AtomicLong();
    private final AtomicInteger maxRequestsPerCall = new AtomicInteger();
    /** Sessions the last decode served, and how long it took (inference thread only). */
    private int lastPacked;
    private long lastDecodeNanos;
    private final Object arrivals = new Object();
    private volatile boolean gathering;
    /** The longest the inference thread waits for the sessions of its last decode to come back. */
    private static final long GATHER_WINDOW_LIMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Completions handed to {@link #callbacks} and not yet run to their end. */
    private final AtomicInteger pendingCallbacks = new AtomicInteger();
    /** The longest the inference thread waits for the last decode's continuations before decoding what is queued. */
    private static final long GATHER_LIMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    public InferenceEngine(Model model, ContextOptions contextOptions, EngineOptions options) {
        this(model, contextOptions, options, withCreatorsClassLoader(ForkJoinPool.commonPool()));
    }

    /**
     * Common-pool threads carry the system class loader as their context class loader. Under {@code java -jar}
     * (Spring Boot's nested-jar loader) code that loads classes by name through it fails there: Kafka's producer,
     * created by the first send from a decode's continuation, could not find its own classes and no reply was ever
     * sent. Callbacks run with the context class loader of the thread that built the engine.
     */
    static Executor withCreatorsClassLoader(Executor executor) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return command -> executor.execute(() -> {
            Thread current = Thread.currentThread();
            ClassLoader previous = current.getContextClassLoader();
            current.setContextClassLoader(loader);
            try {
                command.run();
            } finally {
                current.setContextClassLoader(previous);
            }
        });
    }

    public InferenceEngine(Model model, ContextOptions contextOptions, EngineOptions options, Executor callbacks) {
        this.model = model;
        this.options = options;
        this.callbacks = callbacks;
        this.queue = new LinkedBlockingDeque<>(options.queueCapacity());
        this.thread = Thread.ofPlatform().name("llama-engine-" + options.name()).daemon(true)
                .unstarted(() -> run(contextOptions));
        thread.start();
        try {
            this.context = started.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof LlamaException le ? le : LlamaException.wrap("starting the engine", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlamaException(Code.CLOSED, "Interrupted while starting the engine", e);
        }
    }

    public Model model() {
        return model;
    }

    /** Where this engine completes futures: tasks that complete futures of their own should use it too. */
    public Executor callbacks() {
        return callbacks;
    }

    /** Sizes of the owned context (safe to read from any thread: they never change). */
    public int contextSize() {
        return context.contextSize();
    }

    /** Positions one sequence may use (the context size, at most the training context). */
    public int positionLimit() {
        return context.positionLimit();
    }

    public int batchSize() {
        return context.batchSize();
    }

    public int maxSequences() {
        return context.maxSequences();
    }

    /** Decodes {@code request}, batched with other sequences' requests that are waiting. */
    public CompletableFuture<SequenceLogits> decode(SequenceDecode request) {
        CompletableFuture<SequenceLogits> future = new CompletableFuture<>();
        try {
            checkRequest(request);
        } catch (LlamaException e) {
            return CompletableFuture.failedFuture(e);
        }
        enqueue(new Decode(request, future));
        return future;
    }

    /** Runs {@code task} on the inference thread with exclusive use of the context. */
    public <T> CompletableFuture<T> submit(ContextTask<T> task) {
        CompletableFuture<T> future = new CompletableFuture<>();
        enqueue(new Task<>(task, future));
        return future;
    }

    public EngineStatistics statistics() {
        return new EngineStatistics(decodeCalls.get(), tokensDecoded.get(), requestsDecoded.get(),
                maxRequestsPerCall.get(), queue.size());
    }

    private void enqueue(Work work) {
        if (closing) {
            work.future().completeExceptionally(new LlamaException(Code.CLOSED, "Engine " + options.name() + " is closed"));
            return;
        }
        if (!queue.offerLast(work)) {
            work.future().completeExceptionally(new LlamaException(Code.SATURATED, "Engine " + options.name()
                    + " has " + options.queueCapacity() + " items queued; try again later"));
            return;
        }
        if (gathering) {
            synchronized (arrivals) {
                arrivals.notifyAll();
            }
        }
    }

    /**
     * When fewer sessions are queued than the last decode served, waits a short window (a fifth of that decode, at
     * most {@link #GATHER_WINDOW_LIMIT_NANOS}) for the others: a session whose draft arrives a few milliseconds late
     * then joins this decode instead of waiting a whole decode and running in a small one of its own, which would
     * split the sessions into groups that alternate. One session, or a full queue, waits for nothing.
     */
    private void gatherLastDecodesSessions() {
        int expected = lastPacked;
        if (expected <= 1 || queue.size() + 1 >= expected) {
            return;
        }
        long window = Math.min(GATHER_WINDOW_LIMIT_NANOS, lastDecodeNanos / 5);
        long deadline = System.nanoTime() + window;
        gathering = true;
        try {
            synchronized (arrivals) {
                for (long left = window; queue.size() + 1 < expected && left > 0; left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(arrivals, left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            gathering = false;
        }
    }

    /** Rejects what would fail inside the batch, so one bad request never fails the others packed with it. */
    private void checkRequest(SequenceDecode r) {
        InferenceContext c = context;
        for (int sequence : r.touchedSequences()) {
            if (sequence < 0 || sequence >= c.maxSequences()) {
                throw new LlamaException(Code.INVALID_ARGUMENT, "Sequence id " + sequence + " outside [0, " + c.maxSequences() + ")");
            }
        }
        if (r.isTree() && r.tokens().length > c.batchSize()) {
            throw new LlamaException(Code.BATCH_OVERFLOW, "A tree of " + r.tokens().length + " tokens exceeds the batch size "
                    + c.batchSize() + " (trees are decoded in one piece)");
        }
        int vocab = c.vocabularySize();
        for (int t : r.tokens()) {
            if (t < 0 || t >= vocab) {
                throw new LlamaException(Code.INVALID_TOKEN, "Token id " + t + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        long end = r.endPosition();
        if (end > c.positionLimit()) {
            throw new LlamaException(Code.CONTEXT_OVERFLOW, "Positions up to " + (end - 1) + " exceed the context's "
                    + c.positionLimit() + " positions");
        }
    }

    // ---- the inference thread ---------------------------------------------------------------------------------

    private void run(ContextOptions contextOptions) {
        InferenceContext ctx;
        try {
            ctx = model.newContext(contextOptions);
        } catch (Throwable t) {
            started.completeExceptionally(t);
            return;
        }
        started.complete(ctx);
        DecodeBatch batch = new DecodeBatch(ctx.batchSize());
        try {
            while (true) {
                awaitCallbacks();
                Work work = queue.takeFirst();
                if (work == STOP) {
                    break;
                }
                if (work.future().isDone()) {
                    continue; // cancelled by the caller while queued
                }
                switch (work) {
                    case Task<?> task -> runTask(ctx, task);
                    case Decode decode -> runDecodes(ctx, batch, decode);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            failQueued();
            try {
                ctx.close();
            } catch (Throwable t) {
                LOG.warn("Closing the context of engine {} failed", options.name(), t);
            }
        }
    }

    private <T> void runTask(InferenceContext ctx, Task<T> task) {
        try {
            T value = task.task().run(ctx);
            completeLater(task.future(), value);
        } catch (Throwable t) {
            failLater(task.future(), t);
        }
    }

    private void runDecodes(InferenceContext ctx, DecodeBatch batch, Decode first) {
        if (first.request().tokens().length > ctx.batchSize()) {
            runChunked(ctx, batch, first);
            return;
        }
        gatherLastDecodesSessions();
        List<Decode> packed = new ArrayList<>();
        Set<Integer> sequences = new HashSet<>();
        packed.add(first);
        for (int s : first.request().touchedSequences()) {
            sequences.add(s);
        }
        int tokens = first.request().tokens().length;
        // Take following decodes while they fit; stop at the first that does not, to keep FIFO order per sequence.
        for (Work next = queue.peekFirst(); next instanceof Decode d; next = queue.peekFirst()) {
            int n = d.request().tokens().length;
            int[] touched = d.request().touchedSequences();
            if (tokens + n > ctx.batchSize() || java.util.Arrays.stream(touched).anyMatch(sequences::contains)) {
                break;
            }
            queue.pollFirst();
            if (d.future().isDone()) {
                continue;
            }
            packed.add(d);
            for (int s : touched) {
                sequences.add(s);
            }
            tokens += n;
        }
        try {
            for (Decode d : packed) {
                dropCachedFrom(ctx, d.request());
            }
        } catch (Throwable t) {
            packed.forEach(d -> failLater(d.future(), t));
            return;
        }
        batch.clear();
        int[] firstIndex = new int[packed.size()];
        for (int p = 0; p < packed.size(); p++) {
            SequenceDecode r = packed.get(p).request();
            firstIndex[p] = batch.size();
            for (int i = 0; i < r.tokens().length; i++) {
                batch.add(r.tokens()[i], r.position(i), r.sequencesOf(i), r.wantsLogits(i));
            }
        }
        int cells = ctx.usedCells();
        long decodeStarted = System.nanoTime();
        try {
            ctx.decode(batch);
        } catch (Throwable t) {
            packed.forEach(d -> failLater(d.future(), t));
            return;
        }
        lastDecodeNanos = System.nanoTime() - decodeStarted;
        SharedDecode shared = new SharedDecode(packed.size(), tokens, cells, lastDecodeNanos / 1e6);
        lastPacked = packed.size();
        record(packed.size(), tokens);
        for (int p = 0; p < packed.size(); p++) {
            SequenceDecode r = packed.get(p).request();
            float[][] rows = new float[r.logitsAt().length][];
            for (int k = 0; k < rows.length; k++) {
                rows[k] = ctx.logits(firstIndex[p] + r.logitsAt()[k]);
            }
            completeLater(packed.get(p).future(), new SequenceLogits(r.sequence(), r.logitsAt(), rows, shared));
        }
    }

    private void runChunked(InferenceContext ctx, DecodeBatch batch, Decode decode) {
        SequenceDecode r = decode.request();
        float[][] rows = new float[r.logitsAt().length][];
        int row = 0;
        try {
            dropCachedFrom(ctx, r);
            for (int from = 0; from < r.tokens().length; from += ctx.batchSize()) {
                int to = Math.min(r.tokens().length, from + ctx.batchSize());
                batch.clear();
                for (int i = from; i < to; i++) {
                    batch.add(r.tokens()[i], r.startPosition() + i, r.sequence(), r.wantsLogits(i));
                }
                ctx.decode(batch);
                record(1, to - from);
                for (; row < rows.length && r.logitsAt()[row] < to; row++) {
                    rows[row] = ctx.logits(r.logitsAt()[row] - from);
                }
            }
        } catch (Throwable t) {
            failLater(decode.future(), t);
            return;
        }
        completeLater(decode.future(), new SequenceLogits(r.sequence(), r.logitsAt(), rows));
    }

    private static void dropCachedFrom(InferenceContext ctx, SequenceDecode r) {
        if (ctx.sequenceLength(r.sequence()) > r.startPosition()) {
            ctx.truncate(r.sequence(), r.startPosition());
        }
        int[] touched = r.touchedSequences();
        for (int i = 1; i < touched.length; i++) { // tree branches: the main sequence's history, shared
            ctx.clearSequence(touched[i]);
            if (r.startPosition() > 0) {
                ctx.copySequence(r.sequence(), touched[i], 0, r.startPosition());
            }
        }
    }

    private void record(int requests, int tokens) {
        decodeCalls.incrementAndGet();
        tokensDecoded.addAndGet(tokens);
        requestsDecoded.addAndGet(requests);
        maxRequestsPerCall.accumulateAndGet(requests, Math::max);
    }

    private <T> void completeLater(CompletableFuture<T> future, T value) {
        callback(() -> future.complete(value));
    }

    private void failLater(CompletableFuture<?> future, Throwable t) {
        callback(() -> future.completeExceptionally(t));
    }

    /**
     * Runs a completion on {@link #callbacks}, counted: the dependent stages run inside it, so when it returns the
     * session it served has submitted its next decode, if it had one to submit.
     */
    private void callback(Runnable completion) {
        pendingCallbacks.incrementAndGet();
        try {
            callbacks.execute(() -> {
                try {
                    completion.run();
                } finally {
                    callbackDone();
                }
            });
        } catch (RuntimeException e) { // a rejected execution: run it here rather than lose it
            try {
                completion.run();
            } finally {
                callbackDone();
            }
        }
    }

    private void callbackDone() {
        if (pendingCallbacks.decrementAndGet() == 0) {
            synchronized (pendingCallbacks) {
                pendingCallbacks.notifyAll();
            }
        }
    }

    /**
     * Waits (at most {@link #GATHER_LIMIT_NANOS}) until the continuations of the last decode have run. Without this
     * the first session to come back would be decoded alone while the others are still in their callbacks, and the
     * batch would split into a lone decode and the rest, every round: the sessions of one decode are gathered again
     * for the next. Continuations that wait for something else (a drafter) return at once and hold nothing up.
     */
    private void awaitCallbacks() throws InterruptedException {
        if (pendingCallbacks.get() == 0) {
            return;
        }
        long deadline = System.nanoTime() + GATHER_LIMIT_NANOS;
        synchronized (pendingCallbacks) {
            for (long left = GATHER_LIMIT_NANOS; pendingCallbacks.get() > 0 && left > 0; left = deadline - System.nanoTime()) {
                TimeUnit.NANOSECONDS.timedWait(pendingCallbacks, left);
            }
        }
    }

    private void failQueued() {
        closing = true;
        LlamaException closed = new LlamaException(Code.CLOSED, "Engine " + options.name() + " closed before this work ran");
        for (Work w; (w = queue.pollFirst()) != null; ) {
            if (w != STOP) {
                w.future().completeExceptionally(closed);
            }
        }
    }

    /** Stops accepting work, fails what is queued, frees the context and waits for the inference thread. */
    @Override
    public void close() {
        if (closing) {
            awaitStop();
            return;
        }
        closing = true;
        // The STOP marker goes first: work already queued is failed, not run, so close is prompt.
        queue.offerFirst(STOP);
        if (!queue.contains(STOP)) {
            thread.interrupt();
        }
        awaitStop();
    }

    private void awaitStop() {
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("Engine {} did not stop within 60 s", options.name());
        }
    }

    public boolean isClosed() {
        return closing && !thread.isAlive();
    }
}
