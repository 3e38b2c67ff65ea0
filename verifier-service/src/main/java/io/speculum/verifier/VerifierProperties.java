package io.speculum.verifier;

import io.speculum.service.ModelSettings;
import io.speculum.llama.InferenceEngine;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the verifier-service ({@code speculum.verifier.*}).
 *
 * @param model           the target model
 * @param modelName       the name requests address it by
 * @param sequenceContext tokens (prompt + completion) one generation may hold
 * @param maxSessions     generations decoded together, one KV sequence each
 * @param maxWaiting      generations queued for a free session before requests are refused as OVERLOADED
 * @param maxTokens       the largest completion a request may ask for
 * @param draftTimeout    how long a round waits for a drafter before the verifier decodes alone
 * @param batchSize       most tokens in one decode (all ready sessions' chains together)
 * @param threads         compute threads (0: half the cores, at least one; hand-offs suffer when all are busy)
 * @param successorCandidates the model's top next tokens per decoded position sent to drafters (token recycling)
 * @param cost            the cost curve the automatic speculation policy chooses draft lengths from
 * @param treeBranches    most branches of a token tree verified in one decode (1: chains only)
 * @param batchInvariant  decode with batch-invariant kernels, so that a token's logits are bitwise the same however
 *                        tokens are grouped (exactness to the last bit on F32 targets); off, llama.cpp's fastest
 *                        kernels run and exactness means equal to the verifier's own batched computation (on the
 *                        2-core benchmark machine, off halved the cost of a decode of the ~150M padded target)
 * @param deterministic   same request, same answer: a token's logits are bitwise the same whatever else the verifier
 *                        decodes, wherever the session's KV cells lie, and on every replica of the same build on the
 *                        same CPU type (implies {@code batchInvariant}; see docs/determinism.md for what it
 *                        guarantees and costs)
 * @param pipelinedDrafts drafters pre-draft the next round while the verifier verifies this one (requests may say
 *                        otherwise in their speculation policy)
 */
@ConfigurationProperties("speculum.verifier")
public record VerifierProperties(
        ModelSettings model,
        @DefaultValue("stories260K") String modelName,
        @DefaultValue("512") int sequenceContext,
        @DefaultValue("8") int maxSessions,
        @DefaultValue("64") int maxWaiting,
        @DefaultValue("512") int maxTokens,
        @DefaultValue("250ms") Duration draftTimeout,
        @DefaultValue("64") int batchSize,
        @DefaultValue("0") int threads,
        @DefaultValue("4") int successorCandidates,
        @DefaultValue Cost cost,
        @DefaultValue("1") int treeBranches,
        @DefaultValue("true") boolean batchInvariant,
        @DefaultValue("false") boolean deterministic,
        @DefaultValue("true") boolean pipelinedDrafts) {

    /**
     * What decoding n tokens at once costs; measured at start with timed decodes where not configured.
     *
     * @param singleTokenMillis one token's decode time (0: measure)
     * @param relative          n -> cost of n tokens relative to one, e.g. {@code {4: 2.4, 8: 3.4}} (empty: measure)
     */
    public record Cost(@DefaultValue("0") double singleTokenMillis, Map<Integer, Double> relative) {

        CostCurve resolve(InferenceEngine engine) {
            if (singleTokenMillis > 0 && relative != null && !relative.isEmpty()) {
                return CostCurve.of(singleTokenMillis, relative);
            }
            CostCurve measured = CostCurve.measure(engine, 0, 5);
            return CostCurve.of(singleTokenMillis > 0 ? singleTokenMillis : measured.singleTokenMillis(),
                    relative == null || relative.isEmpty() ? measured.relative() : relative);
        }
    }

    VerifierSettings toSettings() {
        return new VerifierSettings(modelName, sequenceContext, maxSessions, maxWaiting, Math.min(maxTokens, sequenceContext),
                draftTimeout, 10_000, successorCandidates, treeBranches, pipelinedDrafts);
    }

    int effectiveThreads() {
        return threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
}
