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
 * @param batchInvariant make a token's logits independent of how many tokens share its decode (see below)
 *
 * <p><b>Batch invariance.</b> On CPU, llama.cpp multiplies a single column (one token, or one output row) with
 * other kernels than several columns, with another summation order: measured here on AVX-512, stories260K's logits
 * for the same token differ by up to 3.4e-3 between a one-token decode and a multi-token one, enough to flip a
 * greedy choice at a near-tie. With {@code batchInvariant}, the context never runs a one-column product: a lone
 * token is decoded together with a padding token in a hidden scratch sequence, and a decode that wants logits for
 * one token computes them for a second one too. Logits are then bitwise the same however tokens are grouped into
 * decodes (on F32 models), which is what lets speculative decoding promise exactly the target model's output.
 * It costs one extra token on single-token decodes and needs {@code ubatchSize == batchSize}.
 *
 * <p><b>Determinism</b> ({@code deterministic}, implies {@code batchInvariant}) goes further: a token's logits are
 * bitwise the same whatever else shares the cache, however the sequence's history was grouped into decodes, and
 * wherever its cells lie. Attention then runs llama.cpp's flash-attention kernel, which on CPU sums only the
 * sequence's own cells, one after another in cell order (the default kernel sums every cell of the cache with SIMD
 * lanes chosen by cell index, so another slot or another session's cells change the rounding); and the context keeps
 * every sequence's cells in position order: removed cells are parked in a hidden garbage sequence instead of
 * leaving holes a later token could fill out of order, and when the cache is full it is rebuilt by re-decoding the
 * live sequences (see {@link InferenceContext#decode}).
 */
public record ContextOptions(int contextSize, int batchSize, int ubatchSize, int maxSequences, int threads, int threadsBatch,
                             boolean batchInvariant, boolean deterministic) {

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
        if (batchInvariant && batchSize < 2) {
            throw new IllegalArgumentException("batchInvariant needs batchSize >= 2 (room for a padding token)");
        }
        if (batchInvariant && ubatchSize != batchSize) {
            throw new IllegalArgumentException("batchInvariant needs ubatchSize == batchSize (a micro-batch split could leave one token alone)");
        }
        if (deterministic && !batchInvariant) {
            throw new IllegalArgumentException("deterministic needs batchInvariant");
        }
        if (maxSequences > 254) {
            throw new IllegalArgumentException("maxSequences must be at most 254 (llama.cpp's LLAMA_MAX_SEQ is 256, two are kept for padding and parked cells), got " + maxSequences);
        }
    }

    public ContextOptions(int contextSize, int batchSize, int ubatchSize, int maxSequences, int threads, int threadsBatch,
                          boolean batchInvariant) {
        this(contextSize, batchSize, ubatchSize, maxSequences, threads, threadsBatch, batchInvariant, false);
    }

    /**
     * KV cells for {@code liveCells} cells of live sequences: in deterministic mode a quarter more, room for removed
     * cells parked until the cache is rebuilt (so a rebuild frees at least that much).
     */
    public static int cellsFor(int liveCells, boolean deterministic) {
        return deterministic ? liveCells + liveCells / 4 : liveCells;
    }

    /** One sequence, a batch of up to 512 tokens, every core. */
    public static ContextOptions defaults(int contextSize) {
        int cores = Runtime.getRuntime().availableProcessors();
        int batch = Math.min(512, contextSize);
        return new ContextOptions(contextSize, batch, batch, 1, cores, cores, false);
    }

    public ContextOptions withMaxSequences(int n) {
        return new ContextOptions(contextSize, batchSize, ubatchSize, n, threads, threadsBatch, batchInvariant, deterministic);
    }

    public ContextOptions withBatchSize(int n) {
        return new ContextOptions(contextSize, n, batchInvariant ? n : Math.min(ubatchSize, n), maxSequences, threads, threadsBatch, batchInvariant,
                deterministic);
    }

    public ContextOptions withThreads(int n) {
        return new ContextOptions(contextSize, batchSize, ubatchSize, maxSequences, n, n, batchInvariant, deterministic);
    }

    /**
     * Same sizes, with {@code batchInvariant} on or off (turning it on sets the micro-batch to the batch size; turning
     * it off turns {@code deterministic} off too).
     */
    public ContextOptions withBatchInvariance(boolean invariant) {
        return new ContextOptions(contextSize, batchSize, invariant ? batchSize : ubatchSize, maxSequences, threads, threadsBatch, invariant,
                deterministic && invariant);
    }

    /** Same sizes, deterministic or not (on implies batch invariance; off leaves batch invariance as it is). */
    public ContextOptions withDeterminism(boolean on) {
        return new ContextOptions(contextSize, batchSize, on ? batchSize : ubatchSize, maxSequences, threads, threadsBatch,
                batchInvariant || on, on);
    }

    private static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
