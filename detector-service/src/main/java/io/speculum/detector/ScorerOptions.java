package io.speculum.detector;

/**
 * How the scorer decodes.
 *
 * @param window       most tokens decoded for one window of a text (at most the model's context and the batch size)
 * @param overlap      tokens of context each later window repeats from the previous one
 * @param maxSequences windows decoded together in one batch
 * @param batchSize    most tokens in one decode
 * @param threads      compute threads
 * @param queueCapacity requests waiting for the scorer beyond which new ones are refused (OVERLOADED)
 */
public record ScorerOptions(int window, int overlap, int maxSequences, int batchSize, int threads, int queueCapacity) {

    public ScorerOptions {
        if (window < 2) {
            throw new IllegalArgumentException("window must hold at least 2 tokens, was " + window);
        }
        if (overlap < 0 || overlap >= window - 1) {
            throw new IllegalArgumentException("overlap must be in [0, window - 1), was " + overlap);
        }
        if (batchSize < window) {
            throw new IllegalArgumentException("batchSize (" + batchSize + ") must hold a whole window (" + window + ")");
        }
        if (maxSequences < 1 || threads < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("maxSequences, threads and queueCapacity must be positive");
        }
    }

    public static ScorerOptions defaults() {
        return new ScorerOptions(512, 128, 8, 512, Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 64);
    }

    public ScorerOptions withWindow(int window, int overlap) {
        return new ScorerOptions(window, overlap, maxSequences, Math.max(batchSize, window), threads, queueCapacity);
    }
}
