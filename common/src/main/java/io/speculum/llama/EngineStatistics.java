package io.speculum.llama;

/**
 * Counters of an {@link InferenceEngine} since it started.
 *
 * @param decodeCalls        {@code llama_decode} calls
 * @param tokensDecoded      tokens across all calls
 * @param requestsDecoded    {@link SequenceDecode}s completed
 * @param maxRequestsPerCall most requests served by one call (batching across sequences at work)
 * @param queued             items waiting now
 */
public record EngineStatistics(long decodeCalls, long tokensDecoded, long requestsDecoded, int maxRequestsPerCall, int queued) {

    /** Mean requests per decode call: above 1 when sessions share decodes. */
    public double meanRequestsPerCall() {
        return decodeCalls == 0 ? 0 : (double) requestsDecoded / decodeCalls;
    }
}
