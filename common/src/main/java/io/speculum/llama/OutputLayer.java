package io.speculum.llama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.speculum.math.VectorApi;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A model's output layer (logits = W · hidden state) computed in Java, for callers that need every token's whole
 * distribution and have a core to spare: a {@linkplain Model#newHiddenStateContext hidden-state context} decodes
 * without it, and the rows are projected here, on whichever thread suits. For a 2048-token vocabulary the output
 * layer is most of a small model's per-token cost once every row is wanted, so moving it off the decoding thread is
 * what lets scoring run at nearly the speed of a prefill.
 *
 * <p>Available ({@link #load}) only for a model on the CPU, and only where it can be exact to float rounding: the weights are F32 ({@code output.weight},
 * or the tied {@code token_embd.weight}), and the JVM has the Vector API ({@code --add-modules jdk.incubator.vector};
 * without it plain loops are slower than llama.cpp's own layer, so callers keep llama.cpp's logits). Architectures
 * with more after the final norm (an output bias, logit scaling or soft-capping) would differ:
 * {@link #maxDifference} measures a layer against the model's own logits before anyone relies on it.
 */
public final class OutputLayer {

    /**
     * Largest layer copied onto the heap (floats; 256 MiB): beyond small models the output layer is a small share of
     * a forward pass, and a second copy of a large one is not worth its memory.
     */
    static final long MAX_WEIGHTS = 1L << 26;
    private static final int GGML_TYPE_F32 = 0;

    private final float[] weights; // transposed: [hidden][stride], stride = vocabulary padded to whole vectors
    private final int stride;
    private final int vocabulary;
    private final int hidden;
    private final RowProjector projector;

    private OutputLayer(float[] weights, int stride, int vocabulary, int hidden, RowProjector projector) {
        this.weights = weights;
        this.stride = stride;
        this.vocabulary = vocabulary;
        this.hidden = hidden;
        this.projector = projector;
    }

    /** What {@link #load} found: the layer, or why there is none. */
    public record Loaded(OutputLayer layer, String unavailable) {
        public boolean present() {
            return layer != null;
        }
    }

    /** The output layer of {@code model}, read from its GGUF file, or the reason it cannot be computed here. */
    public static Loaded load(Model model) {
        if (model.options().gpuLayers() != 0) {
            return new Loaded(null, "the model is offloaded to a GPU (gpu-layers " + model.options().gpuLayers()
                    + "), where llama.cpp's output layer costs little");
        }
        if (!VectorApi.available()) {
            return new Loaded(null, "the JVM lacks the Vector API (start it with --add-modules " + VectorApi.MODULE + ")");
        }
        RowProjector projector;
        try {
            projector = VectorApi.instance(MethodHandles.lookup(), "io.speculum.llama.VectorRowProjector", RowProjector.class);
        } catch (IllegalStateException e) {
            return new Loaded(null, e.getMessage());
        }
        int lanes = projector.lanes();
        int vocabulary = model.vocabulary().size();
        int hidden = model.metadata().embeddingSize();
        Path file = model.options().path().toAbsolutePath();
        Tensor tensor = Tensor.find(model.library(), file, "output.weight", "token_embd.weight"); // or tied embeddings
        if (tensor == null) {
            return new Loaded(null, file.getFileName() + " has neither output.weight nor token_embd.weight");
        }
        if (tensor.type != GGML_TYPE_F32) {
            return new Loaded(null, tensor.name + " is ggml type " + tensor.type + ", not F32");
        }
        if ((long) vocabulary * hidden > MAX_WEIGHTS) {
            return new Loaded(null, tensor.name + " has " + vocabulary + " × " + hidden + " weights, more than the " + MAX_WEIGHTS
                    + " worth copying");
        }
        if (tensor.bytes != (long) vocabulary * hidden * Float.BYTES) {
            return new Loaded(null, tensor.name + " holds " + tensor.bytes + " bytes, not " + vocabulary + " × " + hidden + " floats");
        }
        int stride = (vocabulary + lanes - 1) / lanes * lanes;
        float[] transposed = new float[hidden * stride];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FloatBuffer rows = channel.map(FileChannel.MapMode.READ_ONLY, tensor.offset, tensor.bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            for (int v = 0; v < vocabulary; v++) {
                for (int d = 0; d < hidden; d++) {
                    transposed[d * stride + v] = rows.get(v * hidden + d); // GGUF row v is token v's weights
                }
            }
        } catch (IOException e) {
            return new Loaded(null, "cannot read " + tensor.name + " from " + file + ": " + e.getMessage());
        }
        return new Loaded(new OutputLayer(transposed, stride, vocabulary, hidden, projector), null);
    }

    public int vocabulary() {
        return vocabulary;
    }

    public int hidden() {
        return hidden;
    }

    /**
     * Logits of {@code count} hidden-state rows, {@code states[(first + r)·hidden …]}, into {@code rows[0 … count)}
     * (each at least {@link #vocabulary} long). Rows go four at a time, so pass them in groups where you can.
     */
    public void project(float[] states, int first, int count, float[][] rows) {
        if (count > rows.length || (first + count) * hidden > states.length) {
            throw new IllegalArgumentException(count + " rows from row " + first + " do not fit " + states.length + " floats / "
                    + rows.length + " output rows");
        }
        projector.project(weights, stride, vocabulary, hidden, states, first, count, rows);
    }

    /**
     * How far this layer is from {@code model}'s own logits: decodes {@code probe} (token ids, a few dozen) in a
     * logits context and a hidden-state context of the calling thread and returns the largest difference over every
     * row (float rounding of another summation order: ~1e-5).
     */
    public double maxDifference(Model model, int[] probe, int threads) {
        ContextOptions options = new ContextOptions(probe.length, probe.length, probe.length, 1, threads, threads, false);
        DecodeBatch batch = new DecodeBatch(probe.length);
        for (int i = 0; i < probe.length; i++) {
            batch.add(probe[i], i, 0, true);
        }
        float[] states = new float[probe.length * hidden];
        float[][] expected = new float[probe.length][vocabulary];
        try (InferenceContext logits = model.newContext(options); InferenceContext cut = model.newHiddenStateContext(options)) {
            logits.decode(batch);
            cut.decode(batch);
            for (int i = 0; i < probe.length; i++) {
                logits.copyLogits(i, expected[i]);
                cut.copyHiddenState(i, states, i * hidden);
            }
        }
        float[][] actual = new float[probe.length][vocabulary];
        project(states, 0, probe.length, actual);
        double max = 0;
        for (int i = 0; i < probe.length; i++) {
            for (int v = 0; v < vocabulary; v++) {
                max = Math.max(max, Math.abs((double) actual[i][v] - expected[i][v]));
            }
        }
        return max;
    }

    /** One tensor's place in a GGUF file, found through llama.cpp's gguf_* API (metadata only, no data loaded). */
    private record Tensor(String name, int type, long offset, long bytes) {

        /** {@code struct gguf_init_params { bool no_alloc; struct ggml_context ** ctx; }} */
        private static final StructLayout INIT_PARAMS = MemoryLayout.structLayout(JAVA_BOOLEAN.withName("no_alloc"),
                MemoryLayout.paddingLayout(7), ADDRESS.withName("ctx"));

        /** The first of {@code names} the file holds, or null (also for a file gguf cannot read). */
        static Tensor find(LlamaLibrary lib, Path file, String... names) {
            MethodHandle init = lib.function("gguf_init_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, INIT_PARAMS));
            MethodHandle free = lib.function("gguf_free", FunctionDescriptor.ofVoid(ADDRESS));
            MethodHandle findTensor = lib.function("gguf_find_tensor", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS));
            MethodHandle tensorType = lib.function("gguf_get_tensor_type", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
            MethodHandle tensorSize = lib.function("gguf_get_tensor_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG));
            MethodHandle tensorOffset = lib.function("gguf_get_tensor_offset", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG));
            MethodHandle dataOffset = lib.function("gguf_get_data_offset", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment params = arena.allocate(INIT_PARAMS);
                params.set(JAVA_BOOLEAN, 0, true);
                params.set(ADDRESS, 8, MemorySegment.NULL);
                MemorySegment gguf = (MemorySegment) init.invokeExact(arena.allocateFrom(file.toString()), params);
                if (gguf.equals(MemorySegment.NULL)) {
                    return null;
                }
                try {
                    for (String name : names) {
                        long id = (long) findTensor.invokeExact(gguf, arena.allocateFrom(name));
                        if (id >= 0) {
                            return new Tensor(name, (int) tensorType.invokeExact(gguf, id),
                                    (long) dataOffset.invokeExact(gguf) + (long) tensorOffset.invokeExact(gguf, id),
                                    (long) tensorSize.invokeExact(gguf, id));
                        }
                    }
                    return null;
                } finally {
                    free.invokeExact(gguf);
                }
            } catch (Throwable t) {
                throw LlamaException.wrap("reading the tensor index of " + file, t);
            }
        }
    }
}
