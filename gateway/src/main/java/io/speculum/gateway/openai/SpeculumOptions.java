package io.speculum.gateway.openai;

/**
 * Speculum's request extension, under {@code "speculum"} so standard clients never send or see it by accident.
 *
 * @param speculation how to accelerate this request
 * @param stats       add per-round speculation statistics to every chunk (streaming) or to the response
 * @param cascade     options of a cascade model's request
 */
public record SpeculumOptions(Speculation speculation, Boolean stats, Cascade cascade) {

    /**
     * @param threshold       this request's deferral threshold instead of the cascade router's (defer when the score is
     *                        above)
     * @param routing         {@code defer} (the default) or {@code token}: token-level routing, LOSSY (the small model
     *                        writes, the large one takes over for each token the small one is unsure of)
     * @param token_threshold with {@code routing: token}: hand a token to the large model when the small model's
     *                        surprisal {@code -log p} of it is above this, instead of the router's
     */
    public record Cascade(Double threshold, String routing, Double token_threshold) {
    }

    /**
     * @param mode      {@code auto} (the verifier chooses), {@code fixed} (always drafts of k), {@code off} (target alone)
     * @param drafter   the drafter to ask (see {@code GET /v1/models}); absent: the drafter-service's default
     * @param k         longest draft chain, 1..32
     * @param threshold a model drafter stops its chain when its top probability falls below this, in [0, 1)
     * @param pipelined whether the drafter pre-drafts the next round while this one is verified (absent: the
     *                  verifier's default, {@code speculum.verifier.pipelined-drafts})
     */
    public record Speculation(String mode, String drafter, Integer k, Double threshold, Boolean pipelined) {
    }
}
