package io.speculum.llama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The llama.cpp C API bound through the Foreign Function &amp; Memory API: one instance per process, opened on first
 * use. It refuses to start when the library's build number is not the one {@link NativeLayouts} was written for,
 * because a struct layout that silently drifted would corrupt memory rather than fail.
 */
public final class LlamaLibrary {

    private static final Logger LOG = LoggerFactory.getLogger(LlamaLibrary.class);
    private static final Logger NATIVE_LOG = LoggerFactory.getLogger("llama.cpp");
    private static volatile LlamaLibrary instance;

    private final Path path;
    private final Binder binder;
    private final int buildNumber;
    private final String commit;

    // Model
    final MethodHandle modelDefaultParams;
    final MethodHandle modelLoadFromFile;
    final MethodHandle modelFree;
    final MethodHandle modelGetVocab;
    final MethodHandle modelDesc;
    final MethodHandle modelSize;
    final MethodHandle modelNParams;
    final MethodHandle modelNCtxTrain;
    final MethodHandle modelNEmbd;
    final MethodHandle modelNLayer;
    final MethodHandle modelMetaCount;
    final MethodHandle modelMetaKeyByIndex;
    final MethodHandle modelMetaValStrByIndex;
    final MethodHandle modelMetaValStr;
    final MethodHandle modelChatTemplate;
    // Vocabulary
    final MethodHandle vocabNTokens;
    final MethodHandle vocabType;
    final MethodHandle vocabGetText;
    final MethodHandle vocabGetAttr;
    final MethodHandle vocabIsEog;
    final MethodHandle vocabIsControl;
    final MethodHandle vocabBos;
    final MethodHandle vocabEos;
    final MethodHandle vocabEot;
    final MethodHandle vocabNl;
    final MethodHandle vocabPad;
    final MethodHandle vocabGetAddBos;
    final MethodHandle vocabGetAddEos;
    final MethodHandle tokenize;
    final MethodHandle tokenToPiece;
    final MethodHandle detokenize;
    final MethodHandle chatApplyTemplate;
    // Context
    final MethodHandle contextDefaultParams;
    final MethodHandle initFromModel;
    final MethodHandle free;
    final MethodHandle nCtx;
    final MethodHandle nBatch;
    final MethodHandle nUbatch;
    final MethodHandle nSeqMax;
    final MethodHandle batchInit;
    final MethodHandle batchFree;
    final MethodHandle decode;
    final MethodHandle getLogitsIth;
    final MethodHandle getEmbeddingsIth;
    final MethodHandle tensorName;
    final MethodHandle kvSelfClear;
    final MethodHandle kvSelfSeqRm;
    final MethodHandle kvSelfSeqCp;
    final MethodHandle kvSelfSeqKeep;
    final MethodHandle kvSelfSeqPosMax;
    final MethodHandle kvSelfUsedCells;
    final MethodHandle kvSelfDefrag;
    final MethodHandle kvSelfUpdate;

    private LlamaLibrary(Path path) {
        this.path = path;
        Linker linker = Linker.nativeLinker();
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new LlamaException(LlamaException.Code.LIBRARY_UNAVAILABLE, "Cannot open the llama library " + path + ": " + e.getMessage(), e);
        }
        Binder b = new Binder(linker, lookup, path);
        this.binder = b;

        this.buildNumber = lookup.find("LLAMA_BUILD_NUMBER")
                .orElseThrow(() -> new LlamaException(LlamaException.Code.LIBRARY_MISMATCH, path + " does not export LLAMA_BUILD_NUMBER: not a llama.cpp library"))
                .reinterpret(4).get(JAVA_INT, 0);
        this.commit = lookup.find("LLAMA_COMMIT")
                .map(s -> s.reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0))
                .map(p -> p.reinterpret(64).getString(0))
                .orElse("unknown");
        if (buildNumber != NativeLayouts.BUILD_NUMBER) {
            throw new LlamaException(LlamaException.Code.LIBRARY_MISMATCH, "The llama library " + path + " is llama.cpp build b" + buildNumber + " (" + commit
                    + "), but Speculum's struct layouts were written for b" + NativeLayouts.BUILD_NUMBER
                    + "; use java-llama.cpp 4.2.0's library or a build of llama.cpp b" + NativeLayouts.BUILD_NUMBER);
        }

        modelDefaultParams = b.fn("llama_model_default_params", FunctionDescriptor.of(NativeLayouts.MODEL_PARAMS));
        modelLoadFromFile = b.fn("llama_model_load_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, NativeLayouts.MODEL_PARAMS));
        modelFree = b.fn("llama_model_free", FunctionDescriptor.ofVoid(ADDRESS));
        modelGetVocab = b.fn("llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS));
        modelDesc = b.fn("llama_model_desc", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        modelSize = b.fn("llama_model_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        modelNParams = b.fn("llama_model_n_params", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        modelNCtxTrain = b.fn("llama_model_n_ctx_train", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        modelNEmbd = b.fn("llama_model_n_embd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        modelNLayer = b.fn("llama_model_n_layer", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        modelMetaCount = b.fn("llama_model_meta_count", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        modelMetaKeyByIndex = b.fn("llama_model_meta_key_by_index", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
        modelMetaValStrByIndex = b.fn("llama_model_meta_val_str_by_index", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
        modelMetaValStr = b.fn("llama_model_meta_val_str", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        modelChatTemplate = b.fn("llama_model_chat_template", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

        vocabNTokens = b.fn("llama_vocab_n_tokens", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabType = b.fn("llama_vocab_type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabGetText = b.fn("llama_vocab_get_text", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        vocabGetAttr = b.fn("llama_vocab_get_attr", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        vocabIsEog = b.fn("llama_vocab_is_eog", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT));
        vocabIsControl = b.fn("llama_vocab_is_control", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT));
        vocabBos = b.fn("llama_vocab_bos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabEos = b.fn("llama_vocab_eos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabEot = b.fn("llama_vocab_eot", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabNl = b.fn("llama_vocab_nl", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabPad = b.fn("llama_vocab_pad", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabGetAddBos = b.fn("llama_vocab_get_add_bos", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
        vocabGetAddEos = b.fn("llama_vocab_get_add_eos", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
        tokenize = b.fn("llama_tokenize", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
        tokenToPiece = b.fn("llama_token_to_piece", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN));
        detokenize = b.fn("llama_detokenize", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
        chatApplyTemplate = b.fn("llama_chat_apply_template", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, ADDRESS, JAVA_LONG, JAVA_BOOLEAN, ADDRESS, JAVA_INT));

        contextDefaultParams = b.fn("llama_context_default_params", FunctionDescriptor.of(NativeLayouts.CONTEXT_PARAMS));
        initFromModel = b.fn("llama_init_from_model", FunctionDescriptor.of(ADDRESS, ADDRESS, NativeLayouts.CONTEXT_PARAMS));
        free = b.fn("llama_free", FunctionDescriptor.ofVoid(ADDRESS));
        nCtx = b.fn("llama_n_ctx", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        nBatch = b.fn("llama_n_batch", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        nUbatch = b.fn("llama_n_ubatch", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        nSeqMax = b.fn("llama_n_seq_max", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        batchInit = b.fn("llama_batch_init", FunctionDescriptor.of(NativeLayouts.BATCH, JAVA_INT, JAVA_INT, JAVA_INT));
        batchFree = b.fn("llama_batch_free", FunctionDescriptor.ofVoid(NativeLayouts.BATCH));
        decode = b.fn("llama_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, NativeLayouts.BATCH));
        getLogitsIth = b.fn("llama_get_logits_ith", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        getEmbeddingsIth = b.fn("llama_get_embeddings_ith", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        tensorName = b.fn("ggml_get_name", FunctionDescriptor.of(ADDRESS, ADDRESS));
        kvSelfClear = b.fn("llama_kv_self_clear", FunctionDescriptor.ofVoid(ADDRESS));
        kvSelfSeqRm = b.fn("llama_kv_self_seq_rm", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        kvSelfSeqCp = b.fn("llama_kv_self_seq_cp", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        kvSelfSeqKeep = b.fn("llama_kv_self_seq_keep", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        kvSelfSeqPosMax = b.fn("llama_kv_self_seq_pos_max", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        kvSelfUsedCells = b.fn("llama_kv_self_used_cells", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        kvSelfDefrag = b.fn("llama_kv_self_defrag", FunctionDescriptor.ofVoid(ADDRESS));
        kvSelfUpdate = b.fn("llama_kv_self_update", FunctionDescriptor.ofVoid(ADDRESS));

        installLogger(linker, b);
        try {
            b.fn("llama_backend_init", FunctionDescriptor.ofVoid()).invokeExact();
        } catch (Throwable t) {
            throw LlamaException.wrap("llama_backend_init", t);
        }
        LOG.info("Loaded llama.cpp b{} ({}) from {}", buildNumber, commit, path);
    }

    /** The process-wide library, opened (and checked) on first use. */
    public static LlamaLibrary get() {
        LlamaLibrary lib = instance;
        if (lib == null) {
            synchronized (LlamaLibrary.class) {
                lib = instance;
                if (lib == null) {
                    lib = new LlamaLibrary(LibraryLocator.locate());
                    instance = lib;
                }
            }
        }
        return lib;
    }

    /**
     * Opens and checks a library file without making it the process-wide one: for tools and for tests of the
     * build-number check. Symbols stay mapped for the life of the process.
     */
    public static LlamaLibrary open(Path libraryFile) {
        return new LlamaLibrary(libraryFile.toAbsolutePath());
    }

    /** Binds a further exported function (for helpers outside the core set, such as the gguf_* API). */
    MethodHandle function(String name, FunctionDescriptor descriptor) {
        return binder.fn(name, descriptor);
    }

    public Path path() {
        return path;
    }

    public int buildNumber() {
        return buildNumber;
    }

    public String commit() {
        return commit;
    }

    // ggml_log_callback: void (*)(enum ggml_log_level level, const char * text, void * user_data)
    private void installLogger(Linker linker, Binder b) {
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(LlamaLibrary.class, "onNativeLog",
                    MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub = linker.upcallStub(target, FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS), Arena.global());
            b.fn("llama_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS)).invokeExact(stub, MemorySegment.NULL);
        } catch (Throwable e) {
            throw new LlamaException(LlamaException.Code.LIBRARY_UNAVAILABLE, "Cannot install the llama.cpp log callback", e);
        }
    }

    private static final ThreadLocal<StringBuilder> LAST_ERROR = ThreadLocal.withInitial(StringBuilder::new);

    @SuppressWarnings("unused") // called from native code
    private static void onNativeLog(int level, MemorySegment text, MemorySegment userData) {
        try {
            String line = text.reinterpret(Integer.MAX_VALUE).getString(0).stripTrailing();
            if (line.isEmpty()) {
                return;
            }
            switch (level) {
                case 4 -> { // GGML_LOG_LEVEL_ERROR
                    NATIVE_LOG.error(line);
                    StringBuilder last = LAST_ERROR.get();
                    if (last.length() < 2000) {
                        last.append(last.isEmpty() ? "" : "; ").append(line);
                    }
                }
                case 3 -> NATIVE_LOG.warn(line);
                default -> NATIVE_LOG.debug(line);
            }
        } catch (Throwable ignored) {
            // an exception must never unwind into native code
        }
    }

    /** Errors llama.cpp logged on this thread since the last call, for exception messages; clears them. */
    static String takeNativeErrors() {
        StringBuilder last = LAST_ERROR.get();
        String errors = last.toString();
        last.setLength(0);
        return errors;
    }

    private record Binder(Linker linker, SymbolLookup lookup, Path path) {
        MethodHandle fn(String name, FunctionDescriptor descriptor) {
            MemorySegment symbol = lookup.find(name)
                    .orElseThrow(() -> new LlamaException(LlamaException.Code.LIBRARY_MISMATCH, path + " does not export " + name));
            return linker.downcallHandle(symbol, descriptor);
        }
    }
}
