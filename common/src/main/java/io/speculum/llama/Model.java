package io.speculum.llama;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A loaded GGUF model: weights, metadata and vocabulary. Thread-safe; inference happens in
 * {@link InferenceContext}s created from it (close them before the model).
 */
public final class Model implements AutoCloseable {

    private static final byte[] GGUF_MAGIC = {'G', 'G', 'U', 'F'};

    private final LlamaLibrary lib;
    private final ModelOptions options;
    private final MemorySegment handle;
    private final Vocabulary vocabulary;
    private final ModelMetadata metadata;
    private final Set<InferenceContext> contexts = ConcurrentHashMap.newKeySet();
    // Readers: any use of the native handle. Writer: close, which must not free memory under a running call.
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private Model(LlamaLibrary lib, ModelOptions options, MemorySegment handle) {
        this.lib = lib;
        this.options = options;
        this.handle = handle;
        try {
            MemorySegment vocab = (MemorySegment) lib.modelGetVocab.invokeExact(handle);
            this.vocabulary = new Vocabulary(this, lib, vocab);
            this.metadata = readMetadata();
        } catch (Throwable t) {
            free();
            throw LlamaException.wrap("reading the model's metadata", t);
        }
    }

    /** Loads a model; fails with a clear {@link LlamaException} for a missing, unreadable or invalid file. */
    public static Model load(ModelOptions options) {
        Path path = options.path().toAbsolutePath();
        checkGgufFile(path);
        LlamaLibrary lib = LlamaLibrary.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = (MemorySegment) lib.modelDefaultParams.invokeExact((SegmentAllocator) arena);
            params.set(ValueLayout.JAVA_INT, NativeLayouts.offset(NativeLayouts.MODEL_PARAMS, "n_gpu_layers"),
                    options.gpuLayers() < 0 ? Integer.MAX_VALUE : options.gpuLayers());
            params.set(ValueLayout.JAVA_BOOLEAN, NativeLayouts.offset(NativeLayouts.MODEL_PARAMS, "vocab_only"), options.vocabOnly());
            params.set(ValueLayout.JAVA_BOOLEAN, NativeLayouts.offset(NativeLayouts.MODEL_PARAMS, "use_mmap"), options.useMmap());
            LlamaLibrary.takeNativeErrors();
            MemorySegment handle = (MemorySegment) lib.modelLoadFromFile.invokeExact(arena.allocateFrom(path.toString()), params);
            if (handle.equals(MemorySegment.NULL)) {
                String errors = LlamaLibrary.takeNativeErrors();
                throw new LlamaException(LlamaException.Code.MODEL_INVALID, "llama.cpp could not load " + path
                        + (options.vocabOnly() ? " (vocabulary only)" : "")
                        + (errors.isEmpty() ? "" : ": " + errors));
            }
            return new Model(lib, options, handle);
        } catch (Throwable t) {
            throw LlamaException.wrap("loading " + path, t);
        }
    }

    public static Model load(Path path) {
        return load(ModelOptions.of(path));
    }

    private static void checkGgufFile(Path path) {
        if (!Files.exists(path)) {
            throw new LlamaException(LlamaException.Code.MODEL_NOT_FOUND, "Model file " + path + " does not exist");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new LlamaException(LlamaException.Code.MODEL_NOT_FOUND, "Model file " + path + " is not a readable file");
        }
        byte[] magic;
        try (InputStream in = Files.newInputStream(path)) {
            magic = in.readNBytes(4);
        } catch (IOException e) {
            throw new LlamaException(LlamaException.Code.MODEL_NOT_FOUND, "Cannot read model file " + path + ": " + e.getMessage(), e);
        }
        if (!Arrays.equals(magic, GGUF_MAGIC)) {
            throw new LlamaException(LlamaException.Code.MODEL_INVALID, "Model file " + path + " is not a GGUF file (bad magic)");
        }
    }

    public ModelOptions options() {
        return options;
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    public boolean isVocabularyOnly() {
        return options.vocabOnly();
    }

    /** Creates a context; it belongs to the calling thread (see {@link InferenceContext}). */
    public InferenceContext newContext(ContextOptions contextOptions) {
        return newContext(contextOptions, false);
    }

    /**
     * Creates a context whose output rows are hidden states (the final norm's output) instead of logits: the forward
     * pass stops before the output layer ({@link OutputLayerCut}); {@link OutputLayer} turns a row into logits.
     */
    public InferenceContext newHiddenStateContext(ContextOptions contextOptions) {
        return newContext(contextOptions, true);
    }

    private InferenceContext newContext(ContextOptions contextOptions, boolean hiddenStates) {
        if (options.vocabOnly()) {
            throw new LlamaException(LlamaException.Code.UNSUPPORTED,
                    "Model " + options.path() + " was loaded vocabulary-only; it has no weights to run");
        }
        return use(() -> {
            InferenceContext context = new InferenceContext(this, lib, contextOptions, hiddenStates);
            contexts.add(context);
            return context;
        });
    }

    void contextClosed(InferenceContext context) {
        contexts.remove(context);
    }

    /** The library this model was loaded through. */
    LlamaLibrary library() {
        return lib;
    }

    MemorySegment handle() {
        return handle;
    }

    /** Runs {@code action} while the model is guaranteed to stay open. */
    <T> T use(NativeCall<T> action) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new LlamaException(LlamaException.Code.CLOSED, "Model " + options.path().getFileName() + " is closed");
            }
            return action.call();
        } catch (Throwable t) {
            throw LlamaException.wrap("model call", t);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @FunctionalInterface
    interface NativeCall<T> {
        T call() throws Throwable;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Frees the weights. Refuses while contexts created from this model are open: freeing weights under a live
     * context would crash the process rather than fail.
     */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            if (!contexts.isEmpty()) {
                throw new IllegalStateException(contexts.size() + " context(s) of " + options.path().getFileName()
                        + " are still open; close them before the model");
            }
            closed = true;
            free();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private void free() {
        try {
            lib.modelFree.invokeExact(handle);
        } catch (Throwable t) {
            throw LlamaException.wrap("llama_model_free", t);
        }
    }

    private ModelMetadata readMetadata() throws Throwable {
        Map<String, String> kv = new LinkedHashMap<>();
        int count = (int) lib.modelMetaCount.invokeExact(handle);
        try (Arena arena = Arena.ofConfined()) {
            for (int index = 0; index < count; index++) {
                int i = index;
                String key = readString(arena, (buf, size) -> (int) lib.modelMetaKeyByIndex.invokeExact(handle, i, buf, size));
                String value = readString(arena, (buf, size) -> (int) lib.modelMetaValStrByIndex.invokeExact(handle, i, buf, size));
                kv.put(key, value);
            }
            String description = readString(arena, (buf, size) -> (int) lib.modelDesc.invokeExact(handle, buf, size));
            MemorySegment tmpl = (MemorySegment) lib.modelChatTemplate.invokeExact(handle, MemorySegment.NULL);
            Optional<String> chatTemplate = tmpl.equals(MemorySegment.NULL)
                    ? Optional.empty()
                    : Optional.of(tmpl.reinterpret(Integer.MAX_VALUE).getString(0, StandardCharsets.UTF_8));
            String fileName = options.path().getFileName().toString();
            return new ModelMetadata(
                    kv.getOrDefault("general.architecture", "unknown"),
                    kv.getOrDefault("general.name", fileName),
                    description,
                    (long) lib.modelNParams.invokeExact(handle),
                    (long) lib.modelSize.invokeExact(handle),
                    (int) lib.modelNCtxTrain.invokeExact(handle),
                    (int) lib.modelNEmbd.invokeExact(handle),
                    (int) lib.modelNLayer.invokeExact(handle),
                    // llama_model_n_head aborts the process for vocabulary-only models (no layers): read the key instead
                    parseInt(kv.get(kv.getOrDefault("general.architecture", "llama") + ".attention.head_count")),
                    vocabulary.size(),
                    vocabulary.type(),
                    vocabulary.specialTokens(),
                    chatTemplate,
                    kv);
        }
    }

    private static int parseInt(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @FunctionalInterface
    private interface StringCall {
        int call(MemorySegment buffer, long size) throws Throwable;
    }

    /** Calls a snprintf-style function, growing the buffer when the result did not fit. */
    private static String readString(Arena arena, StringCall call) throws Throwable {
        long size = 256;
        while (true) {
            MemorySegment buf = arena.allocate(size);
            int n = call.call(buf, size);
            if (n < 0) {
                return "";
            }
            if (n < size) {
                return buf.getString(0, StandardCharsets.UTF_8);
            }
            size = n + 1L;
        }
    }

    @Override
    public String toString() {
        return "Model[" + options.path().getFileName() + ", " + metadata.description() + "]";
    }
}
