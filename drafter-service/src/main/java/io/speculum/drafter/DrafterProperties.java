package io.speculum.drafter;

import io.speculum.service.ModelSettings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the drafter-service ({@code speculum.drafter.*}).
 *
 * @param model           the drafter's model (same vocabulary as the verifier's: fingerprints are compared)
 * @param name            the name draft requests ask for this drafter by
 * @param sequences       requests whose KV cache is kept warm at once (least recently used give way)
 * @param sequenceContext positions one request may hold
 * @param threads         compute threads (drafts are sequential single-token decodes: one is usually best)
 * @param idleRelease     how long a request's KV sequence stays cached without draft requests (the verifier's
 *                        release message normally frees it as soon as the generation ends)
 * @param generation      plain generation with the same model on {@code llm.small-generate}
 * @param recycling       the token-recycling table shared by all requests
 */
@ConfigurationProperties("speculum.drafter")
public record DrafterProperties(
        ModelSettings model,
        @DefaultValue("model") String name,
        @DefaultValue("8") int sequences,
        @DefaultValue("512") int sequenceContext,
        @DefaultValue("1") int threads,
        @DefaultValue("5s") Duration idleRelease,
        @DefaultValue Generation generation,
        @DefaultValue Recycling recycling) {

    /**
     * @param capacity tokens the successor table keeps rows for (least recently used evicted)
     * @param width    successor candidates kept per token
     */
    public record Recycling(@DefaultValue("65536") int capacity, @DefaultValue("8") int width) {
    }

    /**
     * Small-model generation (for cascades), in its own context so that it never takes a drafting sequence.
     *
     * @param enabled         listen on {@code llm.small-generate}
     * @param modelName       the name requests address the small model by (empty: the model file's name without
     *                        {@code .gguf})
     * @param sessions        generations decoded together, one KV sequence each
     * @param maxWaiting      generations queued before requests are refused as OVERLOADED
     * @param sequenceContext tokens (prompt + completion) one generation may hold
     * @param maxTokens       the largest completion a request may ask for
     */
    public record Generation(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("") String modelName,
            @DefaultValue("4") int sessions,
            @DefaultValue("64") int maxWaiting,
            @DefaultValue("512") int sequenceContext,
            @DefaultValue("512") int maxTokens) {
    }

    /** The name small-model generation requests must use. */
    public String servedModelName() {
        if (!generation.modelName().isBlank()) {
            return generation.modelName();
        }
        String file = model.path().getFileName().toString();
        return file.endsWith(".gguf") ? file.substring(0, file.length() - ".gguf".length()) : file;
    }
}
