package io.speculum.llama;

import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;

import io.speculum.llama.LlamaException.Code;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/** Rewrites GGUF files with the gguf_* API exported by the same library. */
public final class GgufFiles {

    // struct gguf_init_params { bool no_alloc; struct ggml_context ** ctx; }
    private static final StructLayout INIT_PARAMS = structLayout(
            JAVA_BOOLEAN.withName("no_alloc"), MemoryLayout.paddingLayout(7), ADDRESS.withName("ctx"));

    private GgufFiles() {
    }

    /**
     * Writes a copy of {@code model}'s metadata (vocabulary, tokenizer settings, hyper-parameters) without any
     * tensor: a small file that tokenizer-only services load with {@link ModelOptions#vocabularyOnly(Path)}.
     */
    public static void writeVocabularyOnly(Path model, Path target) {
        if (!Files.isRegularFile(model)) {
            throw new LlamaException(Code.MODEL_NOT_FOUND, "Model file " + model + " does not exist");
        }
        LlamaLibrary lib = LlamaLibrary.get();
        MethodHandle initFromFile = lib.function("gguf_init_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, INIT_PARAMS));
        MethodHandle initEmpty = lib.function("gguf_init_empty", FunctionDescriptor.of(ADDRESS));
        MethodHandle setKv = lib.function("gguf_set_kv", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        MethodHandle writeToFile = lib.function("gguf_write_to_file", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, ADDRESS, JAVA_BOOLEAN));
        MethodHandle free = lib.function("gguf_free", FunctionDescriptor.ofVoid(ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(INIT_PARAMS);
            params.set(JAVA_BOOLEAN, 0, true);
            MemorySegment source = (MemorySegment) initFromFile.invokeExact(arena.allocateFrom(model.toString()), params);
            if (source.equals(MemorySegment.NULL)) {
                throw new LlamaException(Code.MODEL_INVALID, "Cannot read GGUF metadata from " + model);
            }
            MemorySegment copy = (MemorySegment) initEmpty.invokeExact();
            try {
                setKv.invokeExact(copy, source);
                boolean written = (boolean) writeToFile.invokeExact(copy, arena.allocateFrom(target.toString()), false);
                if (!written) {
                    throw new LlamaException(Code.INVALID_ARGUMENT, "Cannot write " + target);
                }
            } finally {
                free.invokeExact(copy);
                free.invokeExact(source);
            }
        } catch (Throwable t) {
            throw LlamaException.wrap("writing a vocabulary-only GGUF", t);
        }
    }
}
