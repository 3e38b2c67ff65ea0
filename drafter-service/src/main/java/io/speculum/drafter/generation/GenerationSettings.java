package io.speculum.drafter.generation;

/**
 * Limits of small-model generation.
 *
 * @param modelName       the name requests address the small model by
 * @param sequenceContext tokens (prompt + completion) one generation may hold
 * @param maxSessions     generations decoded together, one KV sequence each
 * @param maxWaiting      generations queued for a free session before requests are refused as OVERLOADED
 * @param maxTokens       the largest completion a request may ask for
 * @param finishedMemory  how many finished request ids are remembered to drop replays
 */
public record GenerationSettings(String modelName, int sequenceContext, int maxSessions, int maxWaiting, int maxTokens,
                                 int finishedMemory) {

    public GenerationSettings {
        if (modelName == null || modelName.isBlank() || sequenceContext < 8 || maxSessions < 1 || maxWaiting < 0
                || maxTokens < 1 || finishedMemory < 1) {
            throw new IllegalArgumentException("invalid generation settings: " + modelName + ", context " + sequenceContext
                    + ", sessions " + maxSessions + ", waiting " + maxWaiting + ", max tokens " + maxTokens);
        }
    }

    public static GenerationSettings defaults(String modelName, int sequenceContext) {
        return new GenerationSettings(modelName, sequenceContext, 4, 64, sequenceContext, 10_000);
    }
}
