package io.speculum.protocol;

/**
 * How the cascade router answers a {@link CascadeRequest}.
 *
 * <ul>
 *   <li>{@code DEFER}: the small model answers; the deferral rule scores the whole answer and, above the threshold,
 *       the large model answers instead (its answer is exactly its own);</li>
 *   <li>{@code TOKEN}: token-level routing (after R2R), <b>lossy</b>: the small model generates, and each token it is
 *       unsure of (surprisal above the token threshold) is replaced by a short span of the large model's tokens; the
 *       answer mixes both models' text and equals neither model's own answer.</li>
 * </ul>
 */
public enum CascadeRouting {
    DEFER,
    TOKEN;

    /** Whether answers of this mode may differ from both models' own answers. */
    public boolean lossy() {
        return this == TOKEN;
    }
}
