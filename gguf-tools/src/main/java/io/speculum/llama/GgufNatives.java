package io.speculum.llama;

import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.speculum.llama.LlamaException.Code;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The gguf_* / ggml_* functions the GGUF rewriters ({@link DrafterDeriver}, {@link CostPadder}) need. */
final class GgufNatives {

    static final int GGUF_TYPE_UINT32 = 4;
    static final int GGUF_TYPE_FLOAT32 = 6;
    static final int GGUF_TYPE_STRING = 8;

    /**
     * A GGUF file opened for rewriting: its bytes mapped (valid while the arena is), its metadata ({@code gguf}) and
     * its tensors' shapes ({@code tensors}, a ggml context without data: the data stays in the mapping).
     */
    record Source(MemorySegment file, MemorySegment gguf, MemorySegment tensors) {
    }

    /** {@code struct gguf_init_params { bool no_alloc; struct ggml_context ** ctx; }} */
    static final StructLayout INIT_PARAMS = structLayout(
            JAVA_BOOLEAN.withName("no_alloc"), MemoryLayout.paddingLayout(7), ADDRESS.withName("ctx"));
    /** {@code struct ggml_init_params { size_t mem_size; void * mem_buffer; bool no_alloc; }} */
    static final StructLayout GGML_INIT_PARAMS = structLayout(JAVA_LONG.withName("mem_size"),
            ADDRESS.withName("mem_buffer"), JAVA_BOOLEAN.withName("no_alloc"), MemoryLayout.paddingLayout(7));

    final MethodHandle initFromFile;
    final MethodHandle initEmpty;
    final MethodHandle free;
    final MethodHandle ggmlFree;
    final MethodHandle findKey;
    final MethodHandle getKvType;
    final MethodHandle getValU32;
    final MethodHandle getValStr;
    final MethodHandle getNKv;
    final MethodHandle getKey;
    final MethodHandle getArrN;
    final MethodHandle getArrType;
    final MethodHandle getArrData;
    final MethodHandle setKv;
    final MethodHandle setValU32;
    final MethodHandle setValStr;
    final MethodHandle setArrData;
    final MethodHandle getDataOffset;
    final MethodHandle getNTensors;
    final MethodHandle getTensorName;
    final MethodHandle getTensorOffset;
    final MethodHandle getTensorSize;
    final MethodHandle getTensor;
    final MethodHandle addTensor;
    final MethodHandle setTensorType;
    final MethodHandle setTensorData;
    final MethodHandle rowSize;
    final MethodHandle quantizeChunk;
    final MethodHandle writeToFile;
    final MethodHandle getValF32;
    final MethodHandle setValF32;
    final MethodHandle getAlignment;
    final MethodHandle getMetaSize;
    final MethodHandle getMetaData;
    final MethodHandle ggmlInit;
    final MethodHandle ggmlTensorOverhead;
    final MethodHandle newTensor1d;
    final MethodHandle newTensor2d;
    final MethodHandle setName;

    GgufNatives(LlamaLibrary lib) {
        initFromFile = lib.function("gguf_init_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, INIT_PARAMS));
        initEmpty = lib.function("gguf_init_empty", FunctionDescriptor.of(ADDRESS));
        free = lib.function("gguf_free", FunctionDescriptor.ofVoid(ADDRESS));
        ggmlFree = lib.function("ggml_free", FunctionDescriptor.ofVoid(ADDRESS));
        findKey = lib.function("gguf_find_key", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS));
        getKvType = lib.function("gguf_get_kv_type", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        getValU32 = lib.function("gguf_get_val_u32", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        getValStr = lib.function("gguf_get_val_str", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG));
        getNKv = lib.function("gguf_get_n_kv", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        getKey = lib.function("gguf_get_key", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG));
        getArrN = lib.function("gguf_get_arr_n", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG));
        getArrType = lib.function("gguf_get_arr_type", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        getArrData = lib.function("gguf_get_arr_data", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG));
        setKv = lib.function("gguf_set_kv", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        setValU32 = lib.function("gguf_set_val_u32", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_INT));
        setValStr = lib.function("gguf_set_val_str", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
        setArrData = lib.function("gguf_set_arr_data", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
        getDataOffset = lib.function("gguf_get_data_offset", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        getNTensors = lib.function("gguf_get_n_tensors", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        getTensorName = lib.function("gguf_get_tensor_name", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG));
        getTensorOffset = lib.function("gguf_get_tensor_offset", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG));
        getTensorSize = lib.function("gguf_get_tensor_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG));
        getTensor = lib.function("ggml_get_tensor", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        addTensor = lib.function("gguf_add_tensor", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        setTensorType = lib.function("gguf_set_tensor_type", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_INT));
        setTensorData = lib.function("gguf_set_tensor_data", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
        rowSize = lib.function("ggml_row_size", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG));
        quantizeChunk = lib.function("ggml_quantize_chunk",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
        writeToFile = lib.function("gguf_write_to_file", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, ADDRESS, JAVA_BOOLEAN));
        getValF32 = lib.function("gguf_get_val_f32", FunctionDescriptor.of(JAVA_FLOAT, ADDRESS, JAVA_LONG));
        setValF32 = lib.function("gguf_set_val_f32", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_FLOAT));
        getAlignment = lib.function("gguf_get_alignment", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        getMetaSize = lib.function("gguf_get_meta_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        getMetaData = lib.function("gguf_get_meta_data", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        ggmlInit = lib.function("ggml_init", FunctionDescriptor.of(ADDRESS, GGML_INIT_PARAMS));
        ggmlTensorOverhead = lib.function("ggml_tensor_overhead", FunctionDescriptor.of(JAVA_LONG));
        newTensor1d = lib.function("ggml_new_tensor_1d", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG));
        newTensor2d = lib.function("ggml_new_tensor_2d", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG));
        setName = lib.function("ggml_set_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    }

    /** Maps {@code path} and reads its metadata and tensor shapes; {@link #close(Source)} frees what this allocates. */
    Source open(Arena arena, Path path) throws Throwable {
        MemorySegment file;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        }
        MemorySegment tensorsSlot = arena.allocate(ADDRESS);
        MemorySegment params = arena.allocate(INIT_PARAMS);
        params.set(JAVA_BOOLEAN, 0, true); // metadata and tensor shapes only; data comes from the mapping
        params.set(ADDRESS, 8, tensorsSlot);
        MemorySegment gguf = (MemorySegment) initFromFile.invokeExact(arena.allocateFrom(path.toString()), params);
        if (gguf.equals(MemorySegment.NULL)) {
            throw new LlamaException(Code.MODEL_INVALID, "Cannot read GGUF from " + path + ": " + LlamaLibrary.takeNativeErrors());
        }
        return new Source(file, gguf, tensorsSlot.get(ADDRESS, 0));
    }

    void close(Source source) throws Throwable {
        free.invokeExact(source.gguf());
        ggmlFree.invokeExact(source.tensors());
    }

    boolean hasKey(Arena arena, MemorySegment ctx, String key) throws Throwable {
        return (long) findKey.invokeExact(ctx, arena.allocateFrom(key)) >= 0;
    }

    String stringValue(Arena arena, MemorySegment ctx, String key) throws Throwable {
        long id = (long) findKey.invokeExact(ctx, arena.allocateFrom(key));
        if (id < 0 || (int) getKvType.invokeExact(ctx, id) != GGUF_TYPE_STRING) {
            throw new LlamaException(Code.MODEL_INVALID, "GGUF has no string key " + key);
        }
        return ((MemorySegment) getValStr.invokeExact(ctx, id)).reinterpret(Long.MAX_VALUE).getString(0);
    }
}
