package io.speculum.drafter;

import io.speculum.service.ModelSettings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the drafter-service ({@code speculum.drafter.*}).
 *
 * @param model           the drafter's model (same vocabulary as the verifier's: fingerprints are compared)
 * @param name            the name requests ask for this drafter by
 * @param sequences       requests whose KV cache is kept warm at once (least recently used give way)
 * @param sequenceContext positions one request may hold
 * @param threads         compute threads (drafts are sequential single-token decodes: one is usually best)
 * @param idleRelease     how long a request's KV sequence stays cached without draft requests (the verifier's
 *                        release message normally frees it as soon as the generation ends)
 */
@ConfigurationProperties("speculum.drafter")
public record DrafterProperties(
        ModelSettings model,
        @DefaultValue("model") String name,
        @DefaultValue("8") int sequences,
        @DefaultValue("512") int sequenceContext,
        @DefaultValue("1") int threads,
        @DefaultValue("5s") Duration idleRelease) {
}
