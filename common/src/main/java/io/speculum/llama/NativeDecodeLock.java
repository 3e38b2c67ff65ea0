package io.speculum.llama;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Serialises {@code llama_decode} of multi-threaded contexts across all contexts of the process.
 *
 * <p>Why: with the CPU backend of llama.cpp b4916, two contexts decoding at the same time from different threads,
 * each with more than one compute thread, intermittently produce wrong logits (a generation diverges from the
 * same generation run alone; see {@code ConcurrentContextsTest}). The shared state lives in the CPU backend's
 * matrix-multiplication work distribution. Contexts with one compute thread never enter it: they decode side by side
 * (a shared read lock), exactly (the same test, 0 differences in 18 concurrent runs against 4 of 18 with two threads
 * each), which is what lets a drafter draft while a verifier in the same process verifies. A multi-threaded decode
 * takes the lock alone. A GPU build of the library can lift it with {@code -Dspeculum.llama.concurrentDecodes=true}
 * (or {@code SPECULUM_LLAMA_CONCURRENT_DECODES=true}).
 */
final class NativeDecodeLock {

    static final String PROPERTY = "speculum.llama.concurrentDecodes";

    private static final ReadWriteLock LOCK = new ReentrantReadWriteLock();
    private static final boolean CONCURRENT = Boolean.parseBoolean(System.getProperty(PROPERTY,
            System.getenv().getOrDefault("SPECULUM_LLAMA_CONCURRENT_DECODES", "false")));
    private static final AtomicInteger RUNNING = new AtomicInteger();
    private static final AtomicInteger MOST_RUNNING = new AtomicInteger();

    private NativeDecodeLock() {
    }

    /** Whether decodes of different contexts may overlap whatever their threads (only when the lock was lifted). */
    static boolean concurrentDecodes() {
        return CONCURRENT;
    }

    /** The most decodes that ran at the same time so far. */
    static int mostConcurrentDecodes() {
        return MOST_RUNNING.get();
    }

    /** @param threads the compute threads the decode may use */
    static int decode(LlamaLibrary lib, MemorySegment ctx, MemorySegment batch, int threads) throws Throwable {
        if (CONCURRENT) {
            return counted(lib, ctx, batch);
        }
        java.util.concurrent.locks.Lock lock = threads > 1 ? LOCK.writeLock() : LOCK.readLock();
        lock.lock();
        try {
            return counted(lib, ctx, batch);
        } finally {
            lock.unlock();
        }
    }

    private static int counted(LlamaLibrary lib, MemorySegment ctx, MemorySegment batch) throws Throwable {
        MOST_RUNNING.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
        try {
            return (int) lib.decode.invokeExact(ctx, batch);
        } finally {
            RUNNING.decrementAndGet();
        }
    }
}
