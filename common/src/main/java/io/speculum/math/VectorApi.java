package io.speculum.math;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Kernels on the Vector API (module {@code jdk.incubator.vector}, an incubator: the JVM has it only when started with
 * {@code --add-modules=jdk.incubator.vector}). A class that uses it is loaded by name, only when the module is there,
 * so callers without it keep their plain-Java path.
 */
public final class VectorApi {

    public static final String MODULE = "jdk.incubator.vector";

    private VectorApi() {
    }

    /** Whether this JVM was started with the module. */
    public static boolean available() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }

    /**
     * A new instance of {@code implementation} (a class using the Vector API, with a no-argument constructor, that
     * {@code lookup} can see: pass the caller's {@code MethodHandles.lookup()}) as a {@code type}; call only when
     * {@link #available()}.
     *
     * @throws IllegalStateException when the class cannot be loaded or made
     */
    public static <T> T instance(MethodHandles.Lookup lookup, String implementation, Class<T> type) {
        try {
            Class<?> found = lookup.findClass(implementation);
            return type.cast(lookup.findConstructor(found, MethodType.methodType(void.class)).invoke());
        } catch (Throwable e) {
            throw new IllegalStateException("the Vector API could not be used: " + e, e);
        }
    }
}
