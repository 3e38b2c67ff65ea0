package io.speculum.cascade;

import io.speculum.protocol.SpeculationPolicy;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the cascade router ({@code speculum.cascade.*}).
 *
 * @param rule            the deferral rule: {@code chow-sum}, {@code chow-average}, {@code chow-quantile-<α>} or
 *                        {@code learned}
 * @param learnedModel    the learned rule's JSON file (written by the {@code calibrate} command)
 * @param threshold       defer when the score is above it (pick it with the {@code calibrate} command)
 * @param smallModel      the model name small-generation requests ask for (empty: whatever the drafter-service serves)
 * @param smallPromptSuffix appended to the prompt for the small model only (TinyStories-656K's BPE puts the space
 *                        after a word, so it continues a prompt well only after a trailing {@code " "}); the large
 *                        model's draft text then starts with it
 * @param largeModel      the model name deferred requests ask the verifier for (empty: whatever it serves)
 * @param smallTimeout    how long the small answer may take
 * @param largeTimeout    how long the large answer may take once deferred
 * @param onLargeFailure  what a deferred request gets when the large model fails or does not answer in time
 * @param speculative     hand the small answer to the verifier as its draft (the speculative cascade)
 * @param largeSpeculation how the verifier should speculate for deferred requests: {@code AUTO}/{@code FIXED} also ask
 *                        drafters once the small answer's tokens are used, {@code OFF} verifies only the small answer
 * @param largeDraftTokens chunk length k for verifying the small answer (and drafters' chains)
 * @param maxTokens       the largest completion a request may ask for
 * @param maxPending      requests in progress at once before new ones are refused as OVERLOADED
 * @param replyTopic      where the small and large models answer this router (one per deployment; every instance
 *                        reads it whole with its own consumer group and ignores others' requests)
 * @param tokenThreshold  token-level routing (lossy): a small-model token whose surprisal {@code -log p} (nats) is
 *                        above this is handed to the large model
 * @param tokenSpan       token-level routing: how many tokens the large model writes at each hand-off
 * @param maxHandoffs     token-level routing: hand-offs per request; beyond them the small model finishes alone
 * @param tokenTrimSpaces token-level routing: cut the text's trailing spaces before the large model continues it
 *                        (SentencePiece models put a word's space before it, so a text ending in one is out of their
 *                        distribution: stories260K then writes nonsense); its output brings its own space
 */
@ConfigurationProperties("speculum.cascade")
public record CascadeProperties(
        @DefaultValue("chow-quantile-0.5") String rule,
        Path learnedModel,
        @DefaultValue("1.27") double threshold,
        @DefaultValue("") String smallModel,
        @DefaultValue("") String smallPromptSuffix,
        @DefaultValue("") String largeModel,
        @DefaultValue("30s") Duration smallTimeout,
        @DefaultValue("60s") Duration largeTimeout,
        @DefaultValue("ERROR") LargeFailure onLargeFailure,
        @DefaultValue("true") boolean speculative,
        @DefaultValue("AUTO") SpeculationPolicy.Mode largeSpeculation,
        @DefaultValue("8") int largeDraftTokens,
        @DefaultValue("512") int maxTokens,
        @DefaultValue("256") int maxPending,
        @DefaultValue("llm.cascade-router-replies") String replyTopic,
        @DefaultValue("2.5") double tokenThreshold,
        @DefaultValue("1") int tokenSpan,
        @DefaultValue("64") int maxHandoffs,
        @DefaultValue("true") boolean tokenTrimSpaces) {

    /** A deferred request whose large model fails: an error reply, or the small answer flagged as undeferred. */
    public enum LargeFailure { ERROR, SMALL_ANSWER }

    public CascadeProperties {
        if (maxTokens < 1 || maxPending < 1 || largeDraftTokens < 0 || largeDraftTokens > SpeculationPolicy.MAX_DRAFT_TOKENS
                || smallTimeout.isNegative() || smallTimeout.isZero() || largeTimeout.isNegative() || largeTimeout.isZero()) {
            throw new IllegalArgumentException("invalid speculum.cascade settings: max-tokens " + maxTokens + ", max-pending "
                    + maxPending + ", large-draft-tokens " + largeDraftTokens + ", timeouts " + smallTimeout + " / " + largeTimeout);
        }
        if (Double.isNaN(tokenThreshold) || tokenSpan < 1 || maxHandoffs < 0) {
            throw new IllegalArgumentException("invalid speculum.cascade token routing settings: token-threshold " + tokenThreshold
                    + ", token-span " + tokenSpan + " (at least 1), max-handoffs " + maxHandoffs + " (at least 0)");
        }
    }

    SpeculationPolicy largePolicy() {
        return new SpeculationPolicy(largeSpeculation, null, largeDraftTokens, 0);
    }
}
