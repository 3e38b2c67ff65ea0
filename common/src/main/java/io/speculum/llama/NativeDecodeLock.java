package io.speculum.llama;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises {@code llama_decode} across all contexts of the process.
 *
 * <p>Why: with the CPU backend of llama.cpp b4916, two contexts decoding at the same time from different threads,
 * each with more than one compute thread, intermittently produce wrong logits (a generation diverges from the
 * same generation run alone; see {@code ConcurrentContextsTest}). The shared state lives in the CPU backend's
 * matrix-multiplication work distribution. Holding one lock costs little on a CPU that one decode already
 * saturates, and keeps every result exact. A GPU build of the library can lift it with
 * {@code -Dspeculum.llama.concurrentDecodes=true} (or {@code SPECULUM_LLAMA_CONCURRENT_DECODES=true}).
 */
final class NativeDecodeLock {

    static final String PROPERTY = "speculum.llama.concurrentDecodes";

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final boolean CONCURRENT = Boolean.parseBoolean(System.getProperty(PROPERTY,
            System.getenv().getOrDefault("SPECULUM_LLAMA_CONCURRENT_DECODES", "false")));

    private NativeDecodeLock() {
    }

    /** Whether decodes of different contexts may overlap (only when the lock was lifted). */
    static boolean concurrentDecodes() {
        return CONCURRENT;
    }

    static int decode(LlamaLibrary lib, MemorySegment ctx, MemorySegment batch) throws Throwable {
        if (CONCURRENT) {
            return (int) lib.decode.invokeExact(ctx, batch);
        }
        LOCK.lock();
        try {
            return (int) lib.decode.invokeExact(ctx, batch);
        } finally {
            LOCK.unlock();
        }
    }
}
