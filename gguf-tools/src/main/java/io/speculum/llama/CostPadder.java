package io.speculum.llama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.speculum.llama.LlamaException.Code;
import io.speculum.llama.PaddedTarget.Shape;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a cost-padded copy of an F32 llama GGUF: the same function (the same greedy tokens, logits equal up to
 * kernel rounding) at the compute cost of a much larger model. Tiny test models decode so fast that per-call overhead
 * hides what speculative decoding gains from verifying k tokens at once; a padded copy costs what a real target costs
 * and still has the tiny model's predictable behaviour (and its derived drafters' acceptance).
 *
 * <p>Three paddings, each adding exactly zero to what the model computes:
 * <ul>
 *   <li>hidden size: every matrix is embedded top-left into a wider one with zeros elsewhere, so the padded part of
 *       the residual stream stays 0; the head size is kept and the head counts scaled (the added heads have zero
 *       Q, K and V, hence zero output, and zero columns in {@code attn_output}); RMSNorm averages over the padded
 *       width, so its epsilon is scaled by d/D and its weights by sqrt(d/D), which leaves normalisation unchanged
 *       (bitwise when D/d is a power of 4);</li>
 *   <li>FFN width: zero gate/up rows and zero down columns, in every block (llama.cpp's llama architecture wants
 *       one {@code feed_forward_length} for all blocks);</li>
 *   <li>blocks: copies of the last block appended with zero {@code attn_output} and {@code ffn_down}, which add 0 to
 *       the residual stream while costing a full block.</li>
 * </ul>
 *
 * <p>Tensors are written one at a time straight into the file (the header through {@code gguf_*}), so padding to
 * hundreds of megabytes needs only one tensor's worth of memory.
 */
public final class CostPadder {

    private static final Pattern BLOCK_TENSOR = Pattern.compile("^blk\\.(\\d+)\\.(\\w+)\\.weight$");
    private static final List<String> GLOBAL_BEFORE_BLOCKS = List.of("token_embd.weight");
    private static final List<String> GLOBAL_AFTER_BLOCKS = List.of("output_norm.weight", "output.weight");
    private static final List<String> BLOCK_ROLES = List.of("attn_norm", "attn_q", "attn_k", "attn_v", "attn_output",
            "ffn_norm", "ffn_gate", "ffn_down", "ffn_up");
    /** Roles zeroed in appended blocks: each block adds attention output and FFN output to the residual stream. */
    private static final List<String> RESIDUAL_WRITERS = List.of("attn_output", "ffn_down");
    private static final int GGML_TYPE_F32 = 0;
    /** ggml_tensor: {@code enum ggml_type type} at 0, {@code int64_t ne[4]} at 16 (as in {@link DrafterDeriver}). */
    private static final long TENSOR_TYPE_OFFSET = 0;
    private static final long TENSOR_NE_OFFSET = 16;
    private static final long TENSOR_STRUCT_PREFIX = 48;
    private static final ValueLayout.OfFloat FLOAT = JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final GgufNatives gguf = new GgufNatives(LlamaLibrary.get());

    /** Writes the padded copy {@code padding} describes and says what it wrote. */
    public PaddedTarget pad(CostPadding padding) {
        Path source = padding.source().toAbsolutePath();
        if (!Files.isRegularFile(source)) {
            throw new LlamaException(Code.MODEL_NOT_FOUND, "Model file " + source + " does not exist");
        }
        Path target = padding.target().toAbsolutePath();
        try (Arena arena = Arena.ofConfined()) {
            GgufNatives.Source opened = gguf.open(arena, source);
            MemorySegment file = opened.file();
            MemorySegment src = opened.gguf();
            MemorySegment sourceTensors = opened.tensors();
            MemorySegment dst = (MemorySegment) gguf.initEmpty.invokeExact();
            MemorySegment paddedTensors = MemorySegment.NULL;
            try {
                Layout layout = layout(padding, arena, file, src, sourceTensors);
                long overhead = (long) gguf.ggmlTensorOverhead.invokeExact();
                MemorySegment ggmlParams = arena.allocate(GgufNatives.GGML_INIT_PARAMS);
                ggmlParams.set(JAVA_LONG, 0, (layout.tensors.size() + 4) * overhead);
                ggmlParams.set(ADDRESS, 8, MemorySegment.NULL);
                ggmlParams.set(JAVA_BOOLEAN, 16, true);
                paddedTensors = (MemorySegment) gguf.ggmlInit.invokeExact(ggmlParams);
                if (paddedTensors.equals(MemorySegment.NULL)) {
                    throw new LlamaException(Code.INVALID_ARGUMENT, "ggml_init failed for " + layout.tensors.size() + " tensors");
                }
                writeMetadata(arena, layout, src, dst);
                return write(arena, target, layout, dst, paddedTensors);
            } finally {
                gguf.free.invokeExact(dst);
                gguf.close(opened);
                if (!paddedTensors.equals(MemorySegment.NULL)) {
                    gguf.ggmlFree.invokeExact(paddedTensors);
                }
            }
        } catch (IOException e) {
            deleteQuietly(target);
            throw new LlamaException(Code.INVALID_ARGUMENT, "Cannot pad " + source + " into " + target + ": " + e.getMessage(), e);
        } catch (LlamaException e) {
            deleteQuietly(target);
            throw e;
        } catch (Throwable t) {
            deleteQuietly(target);
            throw LlamaException.wrap("padding " + source, t);
        }
    }

    /** One tensor of the padded file: its shape, and how its data comes from the source. */
    private record PaddedTensor(String name, long rowLength, long rows, boolean vector, SourceTensor from, Fill fill) {

        long bytes() {
            return rowLength * rows * Float.BYTES;
        }
    }

    /** How a padded tensor's data comes about: the source embedded top-left, a norm vector embedded and rescaled, zeros. */
    private enum Fill { EMBED, EMBED_SCALED, ZERO }

    private record SourceTensor(String name, long rowLength, long rows, MemorySegment data) {
    }

    /** The source's and the padded hyper-parameters, and every tensor of the padded file in file order. */
    private record Layout(String architecture, String name, Shape source, Shape padded, float epsilon, float normScale,
                          List<PaddedTensor> tensors) {
    }

    private Layout layout(CostPadding padding, Arena arena, MemorySegment file, MemorySegment src,
                          MemorySegment sourceTensors) throws Throwable {
        String arch = gguf.stringValue(arena, src, "general.architecture");
        if (!arch.equals("llama")) {
            throw new LlamaException(Code.UNSUPPORTED, "only the llama architecture can be padded, not " + arch);
        }
        String prefix = arch + ".";
        Shape from = new Shape(u32(arena, src, prefix + "embedding_length"), u32(arena, src, prefix + "feed_forward_length"),
                u32(arena, src, prefix + "block_count"), u32(arena, src, prefix + "attention.head_count"),
                u32(arena, src, prefix + "attention.head_count_kv"));
        float epsilon = f32(arena, src, prefix + "attention.layer_norm_rms_epsilon");
        int headSize = from.hiddenSize() / from.heads();
        if (from.hiddenSize() % from.heads() != 0 || from.heads() % from.kvHeads() != 0) {
            throw new LlamaException(Code.UNSUPPORTED, "hidden size " + from.hiddenSize() + " with " + from.heads() + " heads / "
                    + from.kvHeads() + " KV heads cannot be padded head-wise");
        }
        int hidden = padding.hiddenSize();
        int group = from.heads() / from.kvHeads();
        if (hidden < from.hiddenSize() || padding.feedForwardSize() < from.feedForwardSize() || padding.blocks() < from.blocks()) {
            throw new LlamaException(Code.INVALID_ARGUMENT, "padding cannot shrink: the source has hidden size " + from.hiddenSize()
                    + ", FFN width " + from.feedForwardSize() + " and " + from.blocks() + " blocks; asked for " + hidden + ", "
                    + padding.feedForwardSize() + ", " + padding.blocks());
        }
        if (hidden % (headSize * group) != 0) {
            throw new LlamaException(Code.INVALID_ARGUMENT, "hidden size " + hidden + " must be a multiple of " + headSize * group
                    + " (head size " + headSize + " times " + group + " query heads per KV head)");
        }
        int heads = hidden / headSize;
        Shape to = new Shape(hidden, padding.feedForwardSize(), padding.blocks(), heads, heads / group);

        Map<String, SourceTensor> tensors = sourceTensors(arena, file, src, sourceTensors);
        SourceTensor embeddings = tensors.get("token_embd.weight");
        if (embeddings == null) {
            throw new LlamaException(Code.MODEL_INVALID, "GGUF has no token_embd.weight");
        }
        long vocabulary = embeddings.rows();
        List<String> roles = new ArrayList<>();
        for (String role : BLOCK_ROLES) {
            if (tensors.containsKey("blk.0." + role + ".weight")) {
                roles.add(role);
            }
        }
        List<PaddedTensor> out = new ArrayList<>();
        for (String name : GLOBAL_BEFORE_BLOCKS) {
            addGlobal(out, tensors, name, from, to, vocabulary);
        }
        for (int block = 0; block < to.blocks(); block++) {
            int copied = Math.min(block, from.blocks() - 1);
            for (String role : roles) {
                SourceTensor tensor = tensors.get("blk." + copied + "." + role + ".weight");
                if (tensor == null) {
                    throw new LlamaException(Code.MODEL_INVALID, "GGUF has blk.0." + role + ".weight but not blk." + copied + "." + role + ".weight");
                }
                Fill fill = role.endsWith("_norm") ? Fill.EMBED_SCALED
                        : block >= from.blocks() && RESIDUAL_WRITERS.contains(role) ? Fill.ZERO : Fill.EMBED;
                out.add(padded("blk." + block + "." + role + ".weight", tensor, dimensions(role, from, headSize, vocabulary),
                        dimensions(role, to, headSize, vocabulary), fill));
            }
        }
        for (String name : GLOBAL_AFTER_BLOCKS) {
            addGlobal(out, tensors, name, from, to, vocabulary);
        }
        int expected = GLOBAL_BEFORE_BLOCKS.size() + from.blocks() * roles.size();
        for (String name : GLOBAL_AFTER_BLOCKS) {
            expected += tensors.containsKey(name) ? 1 : 0;
        }
        if (tensors.size() != expected) {
            List<String> unknown = tensors.keySet().stream().filter(n -> out.stream().noneMatch(t -> t.name().equals(n))).toList();
            throw new LlamaException(Code.UNSUPPORTED, "cannot pad tensors " + unknown + " (only " + BLOCK_ROLES
                    + " blocks, token_embd, output_norm and output)");
        }
        String name = gguf.hasKey(arena, src, "general.name") ? gguf.stringValue(arena, src, "general.name") : arch;
        float normScale = (float) Math.sqrt((double) from.hiddenSize() / hidden);
        float paddedEpsilon = (float) (epsilon * (double) from.hiddenSize() / hidden);
        return new Layout(arch, name, from, to, paddedEpsilon, normScale, List.copyOf(out));
    }

    private static void addGlobal(List<PaddedTensor> out, Map<String, SourceTensor> tensors, String name, Shape from,
                                  Shape to, long vocabulary) {
        SourceTensor tensor = tensors.get(name);
        if (tensor == null) {
            return; // output.weight is absent when embeddings are tied
        }
        String role = name.substring(0, name.indexOf('.'));
        Fill fill = role.endsWith("_norm") ? Fill.EMBED_SCALED : Fill.EMBED;
        out.add(padded(name, tensor, dimensions(role, from, 0, vocabulary), dimensions(role, to, 0, vocabulary), fill));
    }

    private static PaddedTensor padded(String name, SourceTensor tensor, long[] expected, long[] padded, Fill fill) {
        if (tensor.rowLength() != expected[0] || tensor.rows() != expected[1]) {
            throw new LlamaException(Code.MODEL_INVALID, tensor.name() + " is " + tensor.rowLength() + " x " + tensor.rows()
                    + ", expected " + expected[0] + " x " + expected[1] + " from the model's hyper-parameters");
        }
        return new PaddedTensor(name, padded[0], padded[1], fill == Fill.EMBED_SCALED, tensor, fill);
    }

    /** {row length, rows} of a tensor of {@code role} in a model of {@code shape} (ggml's ne[0], ne[1]). */
    private static long[] dimensions(String role, Shape shape, int headSize, long vocabulary) {
        long hidden = shape.hiddenSize();
        return switch (role) {
            case "token_embd", "output" -> new long[] {hidden, vocabulary};
            case "attn_norm", "ffn_norm", "output_norm" -> new long[] {hidden, 1};
            case "attn_q" -> new long[] {hidden, (long) shape.heads() * headSize};
            case "attn_k", "attn_v" -> new long[] {hidden, (long) shape.kvHeads() * headSize};
            case "attn_output" -> new long[] {(long) shape.heads() * headSize, hidden};
            case "ffn_gate", "ffn_up" -> new long[] {hidden, shape.feedForwardSize()};
            case "ffn_down" -> new long[] {shape.feedForwardSize(), hidden};
            default -> throw new LlamaException(Code.UNSUPPORTED, "cannot pad a tensor of role " + role);
        };
    }

    private Map<String, SourceTensor> sourceTensors(Arena arena, MemorySegment file, MemorySegment src,
                                                    MemorySegment sourceTensors) throws Throwable {
        long dataOffset = (long) gguf.getDataOffset.invokeExact(src);
        long count = (long) gguf.getNTensors.invokeExact(src);
        Map<String, SourceTensor> tensors = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            MemorySegment namePtr = (MemorySegment) gguf.getTensorName.invokeExact(src, i);
            String name = namePtr.reinterpret(Long.MAX_VALUE).getString(0);
            MemorySegment tensor = ((MemorySegment) gguf.getTensor.invokeExact(sourceTensors, namePtr)).reinterpret(TENSOR_STRUCT_PREFIX);
            int type = tensor.get(JAVA_INT, TENSOR_TYPE_OFFSET);
            if (type != GGML_TYPE_F32) {
                throw new LlamaException(Code.UNSUPPORTED, "only F32 models can be padded; " + name + " has ggml type " + type);
            }
            if (tensor.get(JAVA_LONG, TENSOR_NE_OFFSET + 16) != 1 || tensor.get(JAVA_LONG, TENSOR_NE_OFFSET + 24) != 1) {
                throw new LlamaException(Code.UNSUPPORTED, name + " has more than two dimensions");
            }
            Matcher block = BLOCK_TENSOR.matcher(name);
            if (!(block.matches() || GLOBAL_BEFORE_BLOCKS.contains(name) || GLOBAL_AFTER_BLOCKS.contains(name))) {
                throw new LlamaException(Code.UNSUPPORTED, "cannot pad tensor " + name);
            }
            long offset = dataOffset + (long) gguf.getTensorOffset.invokeExact(src, i);
            long size = (long) gguf.getTensorSize.invokeExact(src, i);
            tensors.put(name, new SourceTensor(name, tensor.get(JAVA_LONG, TENSOR_NE_OFFSET),
                    tensor.get(JAVA_LONG, TENSOR_NE_OFFSET + 8), file.asSlice(offset, size)));
        }
        return tensors;
    }

    private void writeMetadata(Arena arena, Layout layout, MemorySegment src, MemorySegment dst) throws Throwable {
        String prefix = layout.architecture() + ".";
        Shape to = layout.padded();
        gguf.setKv.invokeExact(dst, src);
        gguf.setValU32.invokeExact(dst, arena.allocateFrom(prefix + "embedding_length"), to.hiddenSize());
        gguf.setValU32.invokeExact(dst, arena.allocateFrom(prefix + "feed_forward_length"), to.feedForwardSize());
        gguf.setValU32.invokeExact(dst, arena.allocateFrom(prefix + "block_count"), to.blocks());
        gguf.setValU32.invokeExact(dst, arena.allocateFrom(prefix + "attention.head_count"), to.heads());
        gguf.setValU32.invokeExact(dst, arena.allocateFrom(prefix + "attention.head_count_kv"), to.kvHeads());
        gguf.setValF32.invokeExact(dst, arena.allocateFrom(prefix + "attention.layer_norm_rms_epsilon"), layout.epsilon());
        gguf.setValStr.invokeExact(dst, arena.allocateFrom("general.name"), arena.allocateFrom(layout.name()
                + " (cost-padded: hidden " + to.hiddenSize() + ", ffn " + to.feedForwardSize() + ", " + to.blocks() + " blocks)"));
    }

    private PaddedTarget write(Arena arena, Path target, Layout layout, MemorySegment dst, MemorySegment paddedTensors) throws Throwable {
        long parameters = 0;
        for (PaddedTensor tensor : layout.tensors()) {
            MemorySegment t = tensor.vector()
                    ? (MemorySegment) gguf.newTensor1d.invokeExact(paddedTensors, GGML_TYPE_F32, tensor.rowLength())
                    : (MemorySegment) gguf.newTensor2d.invokeExact(paddedTensors, GGML_TYPE_F32, tensor.rowLength(), tensor.rows());
            MemorySegment named = (MemorySegment) gguf.setName.invokeExact(t, arena.allocateFrom(tensor.name()));
            gguf.addTensor.invokeExact(dst, named);
            parameters += tensor.rowLength() * tensor.rows();
        }
        long alignment = (long) gguf.getAlignment.invokeExact(dst);
        long metaSize = (long) gguf.getMetaSize.invokeExact(dst);
        MemorySegment meta = arena.allocate(metaSize);
        gguf.getMetaData.invokeExact(dst, meta);
        long dataStart = align(metaSize, alignment);

        Path parent = target.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        long end = dataStart;
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeFully(out, meta.asByteBuffer(), 0);
            for (int i = 0; i < layout.tensors().size(); i++) {
                PaddedTensor tensor = layout.tensors().get(i);
                long offset = dataStart + (long) gguf.getTensorOffset.invokeExact(dst, (long) i);
                try (Arena scratch = Arena.ofConfined()) {
                    MemorySegment data = scratch.allocate(tensor.bytes(), 64); // zeroed
                    fill(tensor, data, layout.normScale());
                    writeFully(out, data.asByteBuffer(), offset);
                }
                end = offset + align(tensor.bytes(), alignment);
            }
            if (out.size() < end) {
                writeFully(out, ByteBuffer.allocate((int) (end - out.size())), out.size()); // the last tensor's padding
            }
        }
        checkReadsBack(arena, target, dataStart, layout.tensors().size());
        return new PaddedTarget(target, layout.source(), layout.padded(), parameters, Files.size(target));
    }

    /** Copies the source tensor into the top-left corner of {@code data} (already zero), or leaves it zero. */
    private static void fill(PaddedTensor tensor, MemorySegment data, float normScale) {
        SourceTensor from = tensor.from();
        switch (tensor.fill()) {
            case ZERO -> { }
            case EMBED -> {
                long rowBytes = from.rowLength() * Float.BYTES;
                for (long row = 0; row < from.rows(); row++) {
                    MemorySegment.copy(from.data(), row * rowBytes, data, row * tensor.rowLength() * Float.BYTES, rowBytes);
                }
            }
            case EMBED_SCALED -> {
                for (long i = 0; i < from.rowLength(); i++) {
                    data.setAtIndex(FLOAT, i, from.data().getAtIndex(FLOAT, i) * normScale);
                }
            }
        }
    }

    /** The file must read back with its data where the tensors were written: gguf_* agrees on the layout. */
    private void checkReadsBack(Arena arena, Path target, long dataStart, int tensors) throws Throwable {
        MemorySegment params = arena.allocate(GgufNatives.INIT_PARAMS);
        params.set(JAVA_BOOLEAN, 0, true);
        params.set(ADDRESS, 8, MemorySegment.NULL);
        MemorySegment written = (MemorySegment) gguf.initFromFile.invokeExact(arena.allocateFrom(target.toString()), params);
        if (written.equals(MemorySegment.NULL)) {
            throw new LlamaException(Code.MODEL_INVALID, "the padded file " + target + " does not read back: " + LlamaLibrary.takeNativeErrors());
        }
        try {
            long offset = (long) gguf.getDataOffset.invokeExact(written);
            long count = (long) gguf.getNTensors.invokeExact(written);
            if (offset != dataStart || count != tensors) {
                throw new LlamaException(Code.MODEL_INVALID, "the padded file " + target + " reads back with data at " + offset
                        + " and " + count + " tensors, written at " + dataStart + " with " + tensors);
            }
        } finally {
            gguf.free.invokeExact(written);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += out.write(buffer, at);
        }
    }

    private static long align(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the failure being reported matters more
        }
    }

    private int u32(Arena arena, MemorySegment ctx, String key) throws Throwable {
        long id = (long) gguf.findKey.invokeExact(ctx, arena.allocateFrom(key));
        if (id < 0 || (int) gguf.getKvType.invokeExact(ctx, id) != GgufNatives.GGUF_TYPE_UINT32) {
            throw new LlamaException(Code.UNSUPPORTED, "GGUF has no u32 key " + key + " (per-layer arrays cannot be padded)");
        }
        return (int) gguf.getValU32.invokeExact(ctx, id);
    }

    private float f32(Arena arena, MemorySegment ctx, String key) throws Throwable {
        long id = (long) gguf.findKey.invokeExact(ctx, arena.allocateFrom(key));
        if (id < 0 || (int) gguf.getKvType.invokeExact(ctx, id) != GgufNatives.GGUF_TYPE_FLOAT32) {
            throw new LlamaException(Code.MODEL_INVALID, "GGUF has no f32 key " + key);
        }
        return (float) gguf.getValF32.invokeExact(ctx, id);
    }


}
