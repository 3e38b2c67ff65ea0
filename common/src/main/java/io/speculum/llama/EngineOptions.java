package io.speculum.llama;

/**
 * How an {@link InferenceEngine} schedules work.
 *
 * @param name          thread name suffix, for logs and thread dumps
 * @param queueCapacity pending work items beyond which submissions are refused ({@link LlamaException.Code#SATURATED})
 */
public record EngineOptions(String name, int queueCapacity) {

    public EngineOptions {
        if (queueCapacity <= 0) {
            throw new IllegalArgumentException("queueCapacity must be positive, got " + queueCapacity);
        }
    }

    public static EngineOptions named(String name) {
        return new EngineOptions(name, 1024);
    }
}
