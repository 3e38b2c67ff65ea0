package io.speculum.llama;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.speculum.llama.LlamaException.Code;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a drafter derived from a verifier's own GGUF: its weight matrices quantised (Q8_0, Q4_0) or halved (F16),
 * and/or only its first N transformer blocks kept (self-speculative drafting). The vocabulary, tokenizer and output
 * head are the verifier's, so the two always share one vocabulary fingerprint.
 *
 * <p>llama.cpp's {@code llama_model_quantize} is not exported by java-llama.cpp's library, so this does what it does
 * with the exported pieces: {@code gguf_*} to copy metadata and lay out tensors, {@code ggml_quantize_chunk} to
 * convert rows. Everything a {@code GGML_ASSERT} would abort on (a row length that is not a multiple of the block
 * size, an unknown key type) is checked here first.
 */
public final class DrafterDeriver {

    private static final Pattern BLOCK_TENSOR = Pattern.compile("^blk\\.(\\d+)\\.");
    private static final int GGML_TYPE_F32 = 0;
    private static final int GGUF_TYPE_ARRAY = 9;
    /** ggml_tensor: {@code enum ggml_type type} at 0, {@code int64_t ne[4]} at 16 (stable across ggml versions). */
    private static final long TENSOR_TYPE_OFFSET = 0;
    private static final long TENSOR_NE_OFFSET = 16;
    private static final long TENSOR_STRUCT_PREFIX = 48;

    private final GgufNatives gguf = new GgufNatives(LlamaLibrary.get());

    /** Writes the drafter described by {@code derivation} and says what it did. */
    public DerivedDrafter derive(DrafterDerivation derivation) {
        Path source = derivation.source().toAbsolutePath();
        if (!Files.isRegularFile(source)) {
            throw new LlamaException(Code.MODEL_NOT_FOUND, "Model file " + source + " does not exist");
        }
        try (Arena arena = Arena.ofConfined()) {
            GgufNatives.Source opened = gguf.open(arena, source);
            MemorySegment dst = (MemorySegment) gguf.initEmpty.invokeExact();
            try {
                return write(derivation, arena, opened.file(), opened.gguf(), opened.tensors(), dst);
            } finally {
                gguf.free.invokeExact(dst);
                gguf.close(opened);
            }
        } catch (IOException e) {
            throw new LlamaException(Code.MODEL_NOT_FOUND, "Cannot read " + source + ": " + e.getMessage(), e);
        } catch (Throwable t) {
            throw LlamaException.wrap("deriving a drafter from " + source, t);
        }
    }

    private DerivedDrafter write(DrafterDerivation derivation, Arena arena, MemorySegment file, MemorySegment src,
                                 MemorySegment ggmlContext, MemorySegment dst) throws Throwable {
        String architecture = gguf.stringValue(arena, src, "general.architecture");
        String blockCountKey = architecture + ".block_count";
        long blockKey = (long) gguf.findKey.invokeExact(src, arena.allocateFrom(blockCountKey));
        if (blockKey < 0 || (int) gguf.getKvType.invokeExact(src, blockKey) != GgufNatives.GGUF_TYPE_UINT32) {
            throw new LlamaException(Code.MODEL_INVALID, "GGUF has no u32 key " + blockCountKey);
        }
        int sourceBlocks = (int) gguf.getValU32.invokeExact(src, blockKey);
        int blocks = derivation.keepBlocks() == 0 ? sourceBlocks : derivation.keepBlocks();
        if (blocks > sourceBlocks) {
            throw new LlamaException(Code.INVALID_ARGUMENT, "cannot keep " + blocks + " blocks of a model with " + sourceBlocks);
        }

        gguf.setKv.invokeExact(dst, src);
        if (blocks != sourceBlocks) {
            gguf.setValU32.invokeExact(dst, arena.allocateFrom(blockCountKey), blocks);
            truncatePerLayerArrays(arena, src, dst, architecture + ".", sourceBlocks, blocks);
        }
        WeightFormat format = derivation.format();
        if (format != WeightFormat.KEEP) {
            gguf.setValU32.invokeExact(dst, arena.allocateFrom("general.file_type"), format.fileType());
        }
        String name = gguf.hasKey(arena, src, "general.name") ? gguf.stringValue(arena, src, "general.name") : architecture;
        gguf.setValStr.invokeExact(dst, arena.allocateFrom("general.name"),
                arena.allocateFrom(name + " (derived drafter: " + format + ", " + blocks + "/" + sourceBlocks + " blocks)"));

        long dataOffset = (long) gguf.getDataOffset.invokeExact(src);
        long tensors = (long) gguf.getNTensors.invokeExact(src);
        List<String> converted = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        for (long i = 0; i < tensors; i++) {
            MemorySegment namePtr = (MemorySegment) gguf.getTensorName.invokeExact(src, i);
            String tensorName = namePtr.reinterpret(Long.MAX_VALUE).getString(0);
            Matcher block = BLOCK_TENSOR.matcher(tensorName);
            if (block.find() && Integer.parseInt(block.group(1)) >= blocks) {
                continue;
            }
            MemorySegment tensor = ((MemorySegment) gguf.getTensor.invokeExact(ggmlContext, namePtr))
                    .reinterpret(TENSOR_STRUCT_PREFIX);
            long offset = dataOffset + (long) gguf.getTensorOffset.invokeExact(src, i);
            long size = (long) gguf.getTensorSize.invokeExact(src, i);
            MemorySegment data = file.asSlice(offset, size);
            gguf.addTensor.invokeExact(dst, tensor);

            String reason = conversionBlocker(format, tensor);
            if (reason != null) {
                gguf.setTensorData.invokeExact(dst, namePtr, data);
                if (format != WeightFormat.KEEP) {
                    unchanged.add(tensorName + " (" + reason + ")");
                }
                continue;
            }
            long rowLength = tensor.get(JAVA_LONG, TENSOR_NE_OFFSET);
            long rows = size / (rowLength * Float.BYTES);
            long rowSize = (long) gguf.rowSize.invokeExact(format.ggmlType(), rowLength);
            MemorySegment out = arena.allocate(rowSize * rows, 64);
            long written = (long) gguf.quantizeChunk.invokeExact(format.ggmlType(), data, out, 0L, rows, rowLength, MemorySegment.NULL);
            if (written != rowSize * rows) {
                throw new LlamaException(Code.INVALID_ARGUMENT, "ggml_quantize_chunk wrote " + written + " bytes for " + tensorName
                        + ", expected " + rowSize * rows);
            }
            gguf.setTensorType.invokeExact(dst, namePtr, format.ggmlType());
            gguf.setTensorData.invokeExact(dst, namePtr, out);
            converted.add(tensorName);
        }

        Path target = derivation.target().toAbsolutePath();
        Path parent = target.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        boolean ok = (boolean) gguf.writeToFile.invokeExact(dst, arena.allocateFrom(target.toString()), false);
        if (!ok) {
            throw new LlamaException(Code.INVALID_ARGUMENT, "Cannot write " + target + ": " + LlamaLibrary.takeNativeErrors());
        }
        return new DerivedDrafter(target, sourceBlocks, blocks, format, Files.size(target), converted, unchanged);
    }

    /** Why a tensor keeps its source type under {@code format}, or null when it can be converted. */
    private static String conversionBlocker(WeightFormat format, MemorySegment tensor) {
        if (format == WeightFormat.KEEP) {
            return "kept";
        }
        int type = tensor.get(JAVA_INT, TENSOR_TYPE_OFFSET);
        if (type != GGML_TYPE_F32) {
            return "source type " + type + " is not F32";
        }
        long rowLength = tensor.get(JAVA_LONG, TENSOR_NE_OFFSET);
        long secondDimension = tensor.get(JAVA_LONG, TENSOR_NE_OFFSET + 8);
        if (secondDimension <= 1) {
            return "a vector (norms stay F32)";
        }
        if (rowLength % format.blockSize() != 0) {
            return "rows of " + rowLength + " are not a multiple of " + format.blockSize();
        }
        return null;
    }

    /** Per-layer hyper-parameter arrays (e.g. head counts per block) must shrink with the block count. */
    private void truncatePerLayerArrays(Arena arena, MemorySegment src, MemorySegment dst, String prefix,
                                        int sourceBlocks, int blocks) throws Throwable {
        long keys = (long) gguf.getNKv.invokeExact(src);
        for (long k = 0; k < keys; k++) {
            String key = ((MemorySegment) gguf.getKey.invokeExact(src, k)).reinterpret(Long.MAX_VALUE).getString(0);
            if (!key.startsWith(prefix) || (int) gguf.getKvType.invokeExact(src, k) != GGUF_TYPE_ARRAY) {
                continue;
            }
            long n = (long) gguf.getArrN.invokeExact(src, k);
            if (n != sourceBlocks) {
                continue;
            }
            int elementType = (int) gguf.getArrType.invokeExact(src, k);
            if (elementType == GgufNatives.GGUF_TYPE_STRING || elementType == GGUF_TYPE_ARRAY) {
                throw new LlamaException(Code.UNSUPPORTED, "cannot shorten per-layer key " + key + " of element type " + elementType);
            }
            MemorySegment data = (MemorySegment) gguf.getArrData.invokeExact(src, k);
            gguf.setArrData.invokeExact(dst, arena.allocateFrom(key), elementType, data, (long) blocks);
        }
    }


}
