package io.speculum.llama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.speculum.llama.LlamaException.Code;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

/**
 * A llama.cpp context: a KV cache for up to {@code maxSequences} sequences and the logits of the last decode.
 *
 * <p>Owned by the thread that created it: llama.cpp contexts are not thread-safe, so every call from another thread
 * fails with {@link Code#WRONG_THREAD} instead of corrupting memory. To use a context from many threads, let an
 * {@link InferenceEngine} own it.
 *
 * <p>Inputs are validated in Java before they reach native code (token ids, positions, sequence ids, batch size), so
 * bad input is an exception, never a crashed JVM.
 */
public final class InferenceContext implements AutoCloseable {

    private final Model model;
    private final LlamaLibrary lib;
    private final ContextOptions options;
    private final Thread owner;
    private final MemorySegment ctx;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment batch;       // struct llama_batch, arrays sized for options.batchSize()
    private final MemorySegment batchTokens;
    private final MemorySegment batchPositions;
    private final MemorySegment batchSeqCounts;
    private final MemorySegment batchSeqIds; // int32_t*[batchSize]
    private final MemorySegment batchLogits;
    private final int contextSize;
    private final int batchSize;
    private final int maxSequences;
    private long compactions;
    private final int scratchSequence;       // hidden sequence for padding tokens, -1 without batch invariance
    private final int parkingSequence;       // hidden sequence holding removed cells in deterministic mode, else -1
    private final OrderedCells ordered;      // deterministic mode's tokens and cells per sequence, else null
    private final int vocabularySize;
    private final boolean hiddenStates;      // rows are hidden states (the output layer cut off), not logits
    private final int nativeSeqCapacity;
    private final int positionLimit;
    private final int[] nextPosition;        // per sequence: highest cached position + 1 (0 = empty)
    private boolean[] lastOutputs = new boolean[0];
    private long generation;
    private boolean closed;

    InferenceContext(Model model, LlamaLibrary lib, ContextOptions options, boolean hiddenStates) throws Throwable {
        this.model = model;
        this.hiddenStates = hiddenStates;
        this.lib = lib;
        this.options = options;
        this.owner = Thread.currentThread();
        int trainingContext = model.metadata().trainingContext();
        // KV cells are shared by all sequences; positions of one sequence stay within the training context (in
        // deterministic mode, with a quarter more for parked cells)
        long cellLimit = ContextOptions.cellsFor(trainingContext * options.maxSequences(), options.deterministic())
                + (options.deterministic() ? options.batchSize() : 0L);
        if (options.contextSize() > cellLimit) {
            throw new LlamaException(Code.INVALID_ARGUMENT, "contextSize " + options.contextSize()
                    + " exceeds the model's training context " + trainingContext + " times " + options.maxSequences() + " sequences");
        }
        this.positionLimit = Math.min(options.contextSize(), trainingContext);
        MemorySegment params = (MemorySegment) lib.contextDefaultParams.invokeExact((SegmentAllocator) arena);
        setInt(params, "n_ctx", options.contextSize());
        setInt(params, "n_batch", options.batchSize());
        setInt(params, "n_ubatch", options.ubatchSize());
        // batch invariance pads lone tokens into one extra, hidden sequence; determinism parks removed cells in another
        setInt(params, "n_seq_max", options.maxSequences() + (options.batchInvariant() ? 1 : 0) + (options.deterministic() ? 1 : 0));
        setInt(params, "n_threads", options.threads());
        setInt(params, "n_threads_batch", options.threadsBatch());
        params.set(JAVA_BOOLEAN, NativeLayouts.offset(NativeLayouts.CONTEXT_PARAMS, "no_perf"), true);
        // the flash-attention kernel sums a row's unmasked cells one by one in cell order, whatever else is cached
        params.set(JAVA_BOOLEAN, NativeLayouts.offset(NativeLayouts.CONTEXT_PARAMS, "flash_attn"), options.deterministic());
        if (hiddenStates) {
            // embedding mode, one row per token (pooling NONE), and the pass ends before the output layer
            params.set(JAVA_BOOLEAN, NativeLayouts.offset(NativeLayouts.CONTEXT_PARAMS, "embeddings"), true);
            setInt(params, "pooling_type", 0);
            params.set(ADDRESS, NativeLayouts.offset(NativeLayouts.CONTEXT_PARAMS, "cb_eval"), OutputLayerCut.callback(lib));
        }
        LlamaLibrary.takeNativeErrors();
        this.ctx = (MemorySegment) lib.initFromModel.invokeExact(model.handle(), params);
        if (ctx.equals(MemorySegment.NULL)) {
            arena.close();
            throw new LlamaException(Code.INVALID_ARGUMENT, "llama.cpp could not create a context with " + options
                    + ": " + LlamaLibrary.takeNativeErrors());
        }
        this.contextSize = (int) lib.nCtx.invokeExact(ctx);
        this.batchSize = (int) lib.nBatch.invokeExact(ctx);
        int nativeSequences = (int) lib.nSeqMax.invokeExact(ctx);
        this.maxSequences = options.maxSequences();
        this.scratchSequence = options.batchInvariant() ? maxSequences : -1;
        this.parkingSequence = options.deterministic() ? maxSequences + 1 : -1;
        this.ordered = options.deterministic() ? new OrderedCells(maxSequences, contextSize, positionLimit) : null;
        this.vocabularySize = model.vocabulary().size();
        this.nextPosition = new int[maxSequences];

        // one spare slot for the padding token of a lone-token decode
        this.batch = (MemorySegment) lib.batchInit.invokeExact((SegmentAllocator) arena, batchSize + 1, 0, nativeSequences);
        this.batchTokens = pointer("token", (batchSize + 1L) * Integer.BYTES);
        this.batchPositions = pointer("pos", (batchSize + 1L) * Integer.BYTES);
        this.batchSeqCounts = pointer("n_seq_id", (batchSize + 1L) * Integer.BYTES);
        this.batchSeqIds = pointer("seq_id", (batchSize + 1L) * ADDRESS.byteSize());
        this.batchLogits = pointer("logits", batchSize + 1L);
        this.nativeSeqCapacity = nativeSequences;
    }

    public Model model() {
        return model;
    }

    public ContextOptions options() {
        return options;
    }

    /** KV cache cells, shared by all sequences. */
    public int contextSize() {
        return contextSize;
    }

    /** Positions a sequence may use: the context size, at most the model's training context. */
    public int positionLimit() {
        return positionLimit;
    }

    public int batchSize() {
        return batchSize;
    }

    public int maxSequences() {
        return maxSequences;
    }

    public int vocabularySize() {
        return vocabularySize;
    }

    /** Number of decodes so far; a {@link LogitsView} is valid only within its generation. */
    public long generation() {
        return generation;
    }

    /**
     * Decodes {@code input} in one {@code llama_decode}. Afterwards the logits of every token added with
     * {@code wantLogits} can be read by its batch index until the next decode.
     *
     * <p>When the cache has room in total but no contiguous run for the batch (sessions that roll drafts back leave
     * holes between surviving cells), the cache is compacted once and the decode retried. Compaction moves cells,
     * which can change the order in which attention sums a sequence's cells: logits after it may differ from a fresh
     * decode in the last bits (see docs/native-binding.md).
     *
     * <p>In deterministic mode there are no holes (removed cells are parked, every decode lands above all cached
     * cells), so each sequence's cells stay in position order; when the top of the cache is reached, the cache is
     * rebuilt instead: emptied and every live sequence re-decoded from its tokens (sequences with a common prefix
     * share its cells again), which yields bitwise the same cells.
     */
    public void decode(DecodeBatch input) {
        checkUsable();
        validate(input);
        if (ordered != null) {
            decodeInOrder(input);
            return;
        }
        try {
            decodeOnce(input);
        } catch (LlamaException e) {
            if (e.code() != Code.KV_CACHE_FULL || usedCells() + input.size() + 1 > contextSize) {
                throw e;
            }
            compact();
            decodeOnce(input);
        }
    }

    private void decodeInOrder(DecodeBatch input) {
        int cells = input.size() + (input.size() == 1 ? 1 : 0);
        if (ordered.frontier() + cells > contextSize) {
            rebuild(cells);
        }
        decodeOnce(input);
        assert usedCells() == ordered.frontier() : "cells in use " + usedCells() + ", mirrored " + ordered.frontier();
    }

    /**
     * Empties the cache (parked cells included) and re-decodes every live sequence in position order, each sharing
     * the longest prefix it has in common with a sequence rebuilt before it. Refuses with {@code KV_CACHE_FULL},
     * leaving the cache as it was, when the live sequences and {@code pending} more cells would not fit.
     */
    private void rebuild(int pending) {
        int[] lengths = nextPosition.clone();
        int[] sharedFrom = new int[maxSequences];
        int[] shared = new int[maxSequences];
        long needed = pending + 1L; // + a padding cell for a lone-token chunk
        for (int s = 0; s < maxSequences; s++) {
            sharedFrom[s] = -1;
            for (int t = 0; t < s && lengths[s] > 0; t++) {
                if (lengths[t] == 0) {
                    continue;
                }
                int common = Arrays.mismatch(ordered.tokens(s), 0, lengths[s], ordered.tokens(t), 0, lengths[t]);
                common = common < 0 ? lengths[s] : common;
                if (common > shared[s]) {
                    shared[s] = common;
                    sharedFrom[s] = t;
                }
            }
            needed += lengths[s] - shared[s];
        }
        if (needed > contextSize) {
            throw new LlamaException(Code.KV_CACHE_FULL, "No room in the KV cache for " + pending + " more cells: the live sequences need "
                    + (needed - pending - 1) + " of " + contextSize + " (shared by all sequences); free sequences or use a larger context");
        }
        clearCells();
        Arrays.fill(nextPosition, 0);
        DecodeBatch batch = new DecodeBatch();
        for (int s = 0; s < maxSequences; s++) {
            if (sharedFrom[s] >= 0) {
                copyCells(sharedFrom[s], s, 0, shared[s]);
                ordered.copied(sharedFrom[s], s, 0, shared[s]);
                nextPosition[s] = shared[s];
            }
            for (int from = shared[s]; from < lengths[s]; from += batchSize) {
                batch.clear();
                batch.addSequence(s, Arrays.copyOfRange(ordered.tokens(s), from, Math.min(lengths[s], from + batchSize)), from, false);
                decodeOnce(batch);
            }
        }
        compactions++;
    }

    /**
     * Deterministic mode: removes positions {@code [from, ∞)} of {@code sequence} without leaving a hole: cells on
     * top of the cache that only this sequence uses (a rolled-back draft, typically) are freed, others are parked;
     * when no sequence is left, the cache is emptied.
     */
    private void park(int sequence, int from) {
        int start = Math.max(0, from);
        int length = nextPosition[sequence];
        if (start < length) {
            if (ordered.onTop(sequence, start, length)) {
                removeCells(sequence, start, -1);
                ordered.freed(sequence, start, length);
            } else {
                copyCells(sequence, parkingSequence, start, -1);
                removeCells(sequence, start, -1);
                ordered.parked(sequence, start, length);
            }
            nextPosition[sequence] = start;
        }
        if (ordered.frontier() > 0 && Arrays.stream(nextPosition).allMatch(p -> p == 0)) {
            clearCells();
        }
    }

    private void clearCells() {
        try {
            lib.kvSelfClear.invokeExact(ctx);
        } catch (Throwable t) {
            throw LlamaException.wrap("llama_kv_self_clear", t);
        }
        if (ordered != null) {
            ordered.cleared();
        }
    }

    private void copyCells(int source, int target, int from, int to) {
        try {
            lib.kvSelfSeqCp.invokeExact(ctx, source, target, from, to);
        } catch (Throwable t) {
            throw LlamaException.wrap("llama_kv_self_seq_cp", t);
        }
    }

    private boolean removeCells(int sequence, int from, int to) {
        try {
            return (boolean) lib.kvSelfSeqRm.invokeExact(ctx, sequence, from, to);
        } catch (Throwable t) {
            throw LlamaException.wrap("llama_kv_self_seq_rm", t);
        }
    }

    /** Whether this context is in deterministic mode (see {@link ContextOptions}). */
    public boolean deterministic() {
        return ordered != null;
    }

    /** Cells of the KV cache holding a token of some sequence. */
    public int usedCells() {
        checkUsable();
        try {
            return (int) lib.kvSelfUsedCells.invokeExact(ctx);
        } catch (Throwable t) {
            throw LlamaException.wrap("llama_kv_self_used_cells", t);
        }
    }

    /** How many times the cache was compacted (deterministic mode: rebuilt) to make room. */
    public long compactions() {
        return compactions;
    }

    private void compact() {
        try {
            lib.kvSelfDefrag.invokeExact(ctx);
            lib.kvSelfUpdate.invokeExact(ctx);
        } catch (Throwable t) {
            throw LlamaException.wrap("llama_kv_self_defrag", t);
        }
        compactions++;
    }

    private void decodeOnce(DecodeBatch input) {
        int n = input.size();
        int outputs = 0;
        for (int i = 0; i < n; i++) {
            int[] seqs = input.sequenceIdsUnsafe(i);
            setNativeToken(i, input.token(i), input.position(i), seqs, input.wantsLogits(i));
            outputs += input.wantsLogits(i) ? 1 : 0;
        }
        int nativeCount = n;
        boolean padded = false;
        if (scratchSequence >= 0) {
            if (n == 1) {
                // a lone token: decode a padding token beside it, with logits, in the hidden sequence
                setNativeToken(1, input.token(0), 0, new int[] {scratchSequence}, true);
                nativeCount = 2;
                padded = true;
            } else if (outputs == 1) {
                // one output row would take the single-column kernels: compute a second, unused row
                int extra = input.wantsLogits(0) ? 1 : 0;
                batchLogits.set(JAVA_BYTE, extra, (byte) 1);
            }
        }
        batch.set(JAVA_INT, 0, nativeCount);
        int rc;
        try {
            LlamaLibrary.takeNativeErrors();
            rc = NativeDecodeLock.decode(lib, ctx, batch);
        } catch (Throwable t) {
            throw LlamaException.wrap("llama_decode", t);
        }
        generation++;
        if (padded) {
            removePadding();
        }
        if (rc != 0) {
            lastOutputs = new boolean[0];
            String errors = LlamaLibrary.takeNativeErrors();
            undoPartialDecode(input);
            // b4916 answers 1, or -3 ("failed to prepare ubatch"), when no KV slot is free
            if (rc == 1 || rc == -3) {
                throw new LlamaException(Code.KV_CACHE_FULL, "No room in the KV cache for " + n + " tokens (context size "
                        + contextSize + " shared by all sequences); free sequences or use a larger context");
            }
            throw new LlamaException(Code.DECODE_FAILED, "llama_decode failed with " + rc + ": " + errors);
        }
        lastOutputs = new boolean[n];
        for (int i = 0; i < n; i++) {
            lastOutputs[i] = input.wantsLogits(i);
            for (int seq : input.sequenceIdsUnsafe(i)) {
                nextPosition[seq] = Math.max(nextPosition[seq], input.position(i) + 1);
            }
        }
        if (ordered != null) {
            ordered.decoded(input);
        }
    }

    /** A failed decode may have cached earlier micro-batches: remove what it added so the cache is as before. */
    private void undoPartialDecode(DecodeBatch input) {
        int[] firstNew = new int[maxSequences];
        Arrays.fill(firstNew, Integer.MAX_VALUE);
        for (int i = 0; i < input.size(); i++) {
            for (int seq : input.sequenceIdsUnsafe(i)) {
                firstNew[seq] = Math.min(firstNew[seq], input.position(i));
            }
        }
        for (int seq = 0; seq < maxSequences; seq++) {
            if (firstNew[seq] != Integer.MAX_VALUE && firstNew[seq] >= nextPosition[seq]) {
                removeCells(seq, firstNew[seq], -1);
            }
        }
    }

    private void setNativeToken(int i, int token, int position, int[] seqs, boolean logits) {
        batchTokens.setAtIndex(JAVA_INT, i, token);
        batchPositions.setAtIndex(JAVA_INT, i, position);
        batchSeqCounts.setAtIndex(JAVA_INT, i, seqs.length);
        MemorySegment ids = batchSeqIds.getAtIndex(ADDRESS, i).reinterpret((long) nativeSeqCapacity * Integer.BYTES);
        for (int s = 0; s < seqs.length; s++) {
            ids.setAtIndex(JAVA_INT, s, seqs[s]);
        }
        batchLogits.set(JAVA_BYTE, i, (byte) (logits ? 1 : 0));
    }

    private void removePadding() {
        removeCells(scratchSequence, -1, -1);
    }

    /** A copy of the logits of batch index {@code i} of the last decode. */
    public float[] logits(int i) {
        return logitsSegment(i).toArray(JAVA_FLOAT);
    }

    /** Copies the logits of batch index {@code i} into {@code destination} (length = vocabulary size). */
    public void copyLogits(int i, float[] destination) {
        if (destination.length < vocabularySize) {
            throw new IllegalArgumentException("destination holds " + destination.length + " floats, need " + vocabularySize);
        }
        MemorySegment.copy(logitsSegment(i), JAVA_FLOAT, 0, destination, 0, vocabularySize);
    }

    /** A zero-copy, read-only view of the logits of batch index {@code i}; invalid after the next decode. */
    public LogitsView logitsView(int i) {
        return new LogitsView(this, logitsSegment(i).asReadOnly(), generation);
    }

    /** Whether this context's rows are hidden states ({@link Model#newHiddenStateContext}) rather than logits. */
    public boolean hiddenStates() {
        return hiddenStates;
    }

    /** Floats in a hidden-state row: the model's hidden size. */
    public int hiddenSize() {
        return model.metadata().embeddingSize();
    }

    /**
     * Copies the hidden state (after the final norm, the output layer's input) of batch index {@code i} of the last
     * decode into {@code destination} at {@code offset}; only in a hidden-state context.
     */
    public void copyHiddenState(int i, float[] destination, int offset) {
        if (!hiddenStates) {
            throw new LlamaException(Code.UNSUPPORTED, "this context computes logits; open it with Model.newHiddenStateContext for hidden states");
        }
        int size = hiddenSize();
        MemorySegment.copy(outputRow(lib.getEmbeddingsIth, "llama_get_embeddings_ith", "hidden state", i, size), JAVA_FLOAT, 0,
                destination, offset, size);
    }

    /** Row {@code i} of the last decode's output through {@code getter} ({@code llama_get_…_ith}), {@code floats} long. */
    private MemorySegment outputRow(MethodHandle getter, String function, String what, int i, int floats) {
        checkOutput(i, what);
        MemorySegment row;
        try {
            row = (MemorySegment) getter.invokeExact(ctx, i);
        } catch (Throwable t) {
            throw LlamaException.wrap(function, t);
        }
        if (row.equals(MemorySegment.NULL)) {
            throw new LlamaException(Code.DECODE_FAILED, "llama.cpp returned no " + what + " for batch index " + i);
        }
        return row.reinterpret((long) floats * Float.BYTES);
    }

    private void checkOutput(int i, String what) {
        checkUsable();
        if (i < 0 || i >= lastOutputs.length || !lastOutputs[i]) {
            throw new LlamaException(Code.INVALID_ARGUMENT, "Batch index " + i + " has no " + what + " in the last decode"
                    + " (ask for an output row with wantLogits when adding the token)");
        }
    }

    private MemorySegment logitsSegment(int i) {
        if (hiddenStates) {
            throw new LlamaException(Code.UNSUPPORTED, "this context returns hidden states, not logits (its output layer is cut off)");
        }
        return outputRow(lib.getLogitsIth, "llama_get_logits_ith", "logits", i, vocabularySize);
    }

    void checkView(long viewGeneration) {
        checkUsable();
        if (viewGeneration != generation) {
            throw new IllegalStateException("This logits view belongs to decode #" + viewGeneration
                    + "; the context has decoded since (#" + generation + "): llama.cpp reuses the buffer");
        }
    }

    // ---- KV cache, per sequence ---------------------------------------------------------------------------------

    /** Tokens cached for {@code sequence}: its highest position + 1 (0 when empty). */
    public int sequenceLength(int sequence) {
        checkUsable();
        checkSequence(sequence);
        return nextPosition[sequence];
    }

    /** Highest cached position of {@code sequence}, or -1 when it is empty (llama.cpp b4916 itself says 0 then). */
    public int maxPosition(int sequence) {
        return sequenceLength(sequence) - 1;
    }

    /**
     * Removes positions {@code [from, to)} of {@code sequence} ({@code to < 0}: to the end). Returns false when
     * llama.cpp cannot remove a partial range (recurrent models), in which case nothing was removed. In deterministic
     * mode only a tail can be removed (a gap would leave the sequence's history unknown): a range in the middle is
     * refused with {@code UNSUPPORTED}.
     */
    public boolean removeRange(int sequence, int from, int to) {
        checkUsable();
        checkSequence(sequence);
        if (ordered != null) {
            if (to >= 0 && to <= Math.max(0, from)) {
                return true; // an empty range, as llama.cpp takes it
            }
            if (to >= 0 && to < nextPosition[sequence]) {
                throw new LlamaException(Code.UNSUPPORTED, "A deterministic context removes only the tail of a sequence, not ["
                        + from + ", " + to + ") of " + nextPosition[sequence] + " positions");
            }
            park(sequence, from);
            return true;
        }
        boolean removed = removeCells(sequence, from, to);
        if (removed) {
            int start = Math.max(0, from);
            if (to < 0 || to >= nextPosition[sequence]) {
                nextPosition[sequence] = Math.min(nextPosition[sequence], start);
            }
        }
        return removed;
    }

    /** Keeps positions {@code [0, length)} of {@code sequence}: the rollback after rejected draft tokens. */
    public void truncate(int sequence, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        if (!removeRange(sequence, length, -1)) {
            throw new LlamaException(Code.UNSUPPORTED, "This model cannot roll back part of a sequence");
        }
    }

    /** Empties {@code sequence}. */
    public void clearSequence(int sequence) {
        removeRange(sequence, -1, -1);
    }

    /** Makes {@code target} share {@code source}'s cached positions {@code [from, to)} (no copy of the data). */
    public void copySequence(int source, int target, int from, int to) {
        checkUsable();
        checkSequence(source);
        checkSequence(target);
        int end = to < 0 ? nextPosition[source] : Math.min(to, nextPosition[source]);
        if (ordered != null && end > Math.max(0, from) && Math.max(0, from) != nextPosition[target]) {
            throw new LlamaException(Code.UNSUPPORTED, "A deterministic context appends copied positions to the target's history: copying ["
                    + Math.max(0, from) + ", " + end + ") to a sequence of " + nextPosition[target] + " positions would leave a gap or an overlap");
        }
        copyCells(source, target, from, to);
        if (end > Math.max(0, from)) {
            nextPosition[target] = Math.max(nextPosition[target], end);
            if (ordered != null) {
                ordered.copied(source, target, Math.max(0, from), end);
            }
        }
    }

    /** Drops every sequence but {@code sequence}. */
    public void keepOnly(int sequence) {
        checkUsable();
        checkSequence(sequence);
        if (ordered != null) {
            for (int other = 0; other < maxSequences; other++) {
                if (other != sequence) {
                    park(other, 0);
                }
            }
            return;
        }
        try {
            lib.kvSelfSeqKeep.invokeExact(ctx, sequence);
        } catch (Throwable t) {
            throw LlamaException.wrap("llama_kv_self_seq_keep", t);
        }
        int kept = nextPosition[sequence];
        Arrays.fill(nextPosition, 0);
        nextPosition[sequence] = kept;
    }

    /** Empties the whole KV cache. */
    public void clear() {
        checkUsable();
        clearCells();
        Arrays.fill(nextPosition, 0);
        lastOutputs = new boolean[0];
    }

    public boolean isClosed() {
        return closed;
    }

    /** Frees the context and its batch. Idempotent; only the owner thread may close it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        checkOwner();
        closed = true;
        try {
            lib.batchFree.invokeExact(batch);
            lib.free.invokeExact(ctx);
        } catch (Throwable t) {
            throw LlamaException.wrap("freeing the context", t);
        } finally {
            arena.close();
            model.contextClosed(this);
        }
    }

    // ---- validation ---------------------------------------------------------------------------------------------

    private void validate(DecodeBatch input) {
        int n = input.size();
        if (n == 0) {
            throw new LlamaException(Code.INVALID_ARGUMENT, "Empty batch");
        }
        if (n > batchSize) {
            throw new LlamaException(Code.BATCH_OVERFLOW, "Batch of " + n + " tokens exceeds the context's batch size " + batchSize);
        }
        int[] expected = null;
        for (int i = 0; i < n; i++) {
            int token = input.token(i);
            if (token < 0 || token >= vocabularySize) {
                throw new LlamaException(Code.INVALID_TOKEN, "Token id " + token + " at batch index " + i
                        + " is outside the vocabulary [0, " + vocabularySize + ")");
            }
            int position = input.position(i);
            if (position < 0 || position >= positionLimit) {
                throw new LlamaException(position < 0 ? Code.INVALID_ARGUMENT : Code.CONTEXT_OVERFLOW, "Position " + position
                        + " at batch index " + i + " is outside the context [0, " + positionLimit + ")");
            }
            int[] seqs = input.sequenceIdsUnsafe(i);
            if (ordered != null) {
                expected = expected == null ? nextPosition.clone() : expected;
                for (int seq : seqs) {
                    if (seq >= 0 && seq < maxSequences && expected[seq]++ != position) {
                        throw new LlamaException(Code.INVALID_ARGUMENT, "A deterministic context decodes each sequence's positions in order"
                                + " without gaps: sequence " + seq + " expects position " + (expected[seq] - 1) + ", got " + position
                                + " at batch index " + i);
                    }
                }
            }
            if (seqs.length > maxSequences) {
                throw new LlamaException(Code.INVALID_ARGUMENT, "Token at batch index " + i + " belongs to " + seqs.length
                        + " sequences; the context has " + maxSequences);
            }
            for (int s = 0; s < seqs.length; s++) {
                checkSequence(seqs[s]);
                for (int t = 0; t < s; t++) {
                    if (seqs[t] == seqs[s]) {
                        throw new LlamaException(Code.INVALID_ARGUMENT, "Sequence " + seqs[s] + " listed twice at batch index " + i);
                    }
                }
            }
        }
    }

    private void checkSequence(int sequence) {
        if (sequence < 0 || sequence >= maxSequences) {
            throw new LlamaException(Code.INVALID_ARGUMENT, "Sequence id " + sequence + " outside [0, " + maxSequences + ")");
        }
    }

    private void checkUsable() {
        if (closed) {
            throw new LlamaException(Code.CLOSED, "The context is closed");
        }
        checkOwner();
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new LlamaException(Code.WRONG_THREAD, "A llama context belongs to the thread that created it ("
                    + owner.getName() + "); called from " + Thread.currentThread().getName());
        }
    }

    private MemorySegment pointer(String field, long bytes) {
        return batch.get(ADDRESS, NativeLayouts.offset(NativeLayouts.BATCH, field)).reinterpret(bytes);
    }

    private static void setInt(MemorySegment params, String field, int value) {
        params.set(JAVA_INT, NativeLayouts.offset(NativeLayouts.CONTEXT_PARAMS, field), value);
    }
}
