package io.speculum.llama;

/**
 * Sizes of an inference context.
 *
 * @param contextSize   KV cache cells shared by all sequences (tokens), at most the model's training context
 * @param batchSize     most tokens in one decode call
 * @param ubatchSize    physical micro-batch (llama.cpp splits a decode into micro-batches of this size)
 * @param maxSequences  distinct sequence ids (concurrent sessions or tree branches) in the context
 * @param threads       threads for single-token decodes
 * @param threadsBatch  threads for multi-token decodes
 */
public record ContextOptions(int contextSize, int batchSize, int ubatchSize, int maxSequences, int threads, int threadsBatch) {

    public ContextOptions {
        requirePositive(contextSize, "contextSize");
        requirePositive(batchSize, "batchSize");
        requirePositive(ubatchSize, "ubatchSize");
        requirePositive(maxSequences, "maxSequences");
        requirePositive(threads, "threads");
        requirePositive(threadsBatch, "threadsBatch");
        if (ubatchSize > batchSize) {
            throw new IllegalArgumentException("ubatchSize (" + ubatchSize + ") must not exceed batchSize (" + batchSize + ")");
        }
        if (maxSequences > 256) {
            throw new IllegalArgumentException("maxSequences must be at most 256 (llama.cpp's LLAMA_MAX_SEQ), got " + maxSequences);
        }
    }

    /** One sequence, a batch of up to 512 tokens, every core. */
    public static ContextOptions defaults(int contextSize) {
        int cores = Runtime.getRuntime().availableProcessors();
        int batch = Math.min(512, contextSize);
        return new ContextOptions(contextSize, batch, batch, 1, cores, cores);
    }

    public ContextOptions withMaxSequences(int n) {
        return new ContextOptions(contextSize, batchSize, ubatchSize, n, threads, threadsBatch);
    }

    public ContextOptions withBatchSize(int n) {
        return new ContextOptions(contextSize, n, Math.min(ubatchSize, n), maxSequences, threads, threadsBatch);
    }

    public ContextOptions withThreads(int n) {
        return new ContextOptions(contextSize, batchSize, ubatchSize, maxSequences, n, n);
    }

    private static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
