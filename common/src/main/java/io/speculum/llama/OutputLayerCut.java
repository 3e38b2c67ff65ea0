package io.speculum.llama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;

/**
 * A graph-evaluation callback ({@code cb_eval}, ggml's {@code ggml_backend_sched_eval_callback}) that ends a forward
 * pass at the final norm: the scheduler computes the graph up to the tensor llama.cpp hands out as per-token
 * embeddings in embedding mode ({@code result_embd_pooled} at b4916, the normed hidden state with pooling NONE),
 * passes it here, and stops when told to, so the output layer (vocabulary × hidden multiply-adds per token) is never
 * run. A context in this mode returns hidden states instead of logits ({@link InferenceContext#copyHiddenState});
 * whoever needs logits projects them (see {@link OutputLayer}), on another thread if a core is free.
 */
final class OutputLayerCut {

    /** The tensor llama.cpp b4916 copies out as per-token embeddings; NUL-terminated as in {@code ggml_tensor.name}. */
    private static final byte[] LAST_TENSOR = "result_embd_pooled\0".getBytes(StandardCharsets.US_ASCII);
    private static volatile MethodHandle tensorName;
    private static volatile MemorySegment stub;

    private OutputLayerCut() {
    }

    /** The callback's function pointer, one per process (it lives in the global arena). */
    static MemorySegment callback(LlamaLibrary lib) {
        MemorySegment s = stub;
        if (s == null) {
            synchronized (OutputLayerCut.class) {
                s = stub;
                if (s == null) {
                    tensorName = lib.tensorName;
                    try {
                        MethodHandle target = MethodHandles.lookup().findStatic(OutputLayerCut.class, "evaluate",
                                MethodType.methodType(boolean.class, MemorySegment.class, boolean.class, MemorySegment.class));
                        s = Linker.nativeLinker().upcallStub(target, FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_BOOLEAN, ADDRESS),
                                Arena.global());
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                    stub = s;
                }
            }
        }
        return s;
    }

    /**
     * {@code ask}: does the callback want to see {@code tensor} (only the last tensor kept)? Otherwise the tensor has
     * been computed: returning false cancels the rest of the graph.
     */
    @SuppressWarnings("unused") // called from native code
    private static boolean evaluate(MemorySegment tensor, boolean ask, MemorySegment userData) {
        try {
            boolean last = isLastTensor((MemorySegment) tensorName.invokeExact(tensor));
            return ask == last;
        } catch (Throwable t) {
            return true; // never unwind into native code; computing on is always safe
        }
    }

    private static boolean isLastTensor(MemorySegment name) {
        MemorySegment chars = name.reinterpret(LAST_TENSOR.length);
        for (int i = 0; i < LAST_TENSOR.length; i++) {
            if (chars.get(JAVA_BYTE, i) != LAST_TENSOR[i]) {
                return false;
            }
        }
        return true;
    }
}
