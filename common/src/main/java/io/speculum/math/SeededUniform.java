package io.speculum.math;

/**
 * Counter-based uniform random numbers: a pure function of {@code (seed, position, stream)}, with no state to carry.
 *
 * <p>Randomness in Speculum is keyed by the generation's seed and the <em>token position</em> it decides, never by
 * the speculation round, the draft length or the replica that happens to compute it. So a round that is retried,
 * replayed after a crash, or moved to another replica draws the very same numbers, and a seeded generation produces
 * the same text however speculation splits it into rounds. The stream separates the independent draws one position
 * needs: {@link #STREAM_SAMPLE} for sampling the token, {@link #STREAM_ACCEPT} for the accept/reject test of a drafted
 * token, {@link #STREAM_RESIDUAL} for sampling from the residual distribution after a rejection.
 *
 * <p>The three inputs are folded through SplitMix64's finaliser (Stafford's Mix13) one after another, so nearby
 * seeds, positions and streams give unrelated outputs; the top 53 bits become a double in [0, 1).
 */
public final class SeededUniform {

    /** Stream for sampling a token from its distribution. */
    public static final int STREAM_SAMPLE = 0;
    /** Stream for accepting or rejecting a drafted token. */
    public static final int STREAM_ACCEPT = 1;
    /** Stream for sampling from the residual distribution after a rejection. */
    public static final int STREAM_RESIDUAL = 2;

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long POSITION_SALT = 0xD1B54A32D192ED03L;
    private static final long STREAM_SALT = 0x8CB92BA72F3D8DD7L;

    private SeededUniform() {
    }

    /**
     * A uniform double in [0, 1), a multiple of 2<sup>-53</sup>.
     *
     * @param seed     the generation's seed (any value)
     * @param position the absolute token position being decided, {@code >= 0}
     * @param stream   which draw at that position, {@code >= 0} (see the {@code STREAM_} constants)
     */
    public static double at(long seed, long position, int stream) {
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, was " + position);
        }
        if (stream < 0) {
            throw new IllegalArgumentException("stream must be >= 0, was " + stream);
        }
        long h = mix(seed + GOLDEN);
        h = mix(h ^ (position + 1) * POSITION_SALT);
        h = mix(h ^ (stream + 1L) * STREAM_SALT);
        return (h >>> 11) * 0x1.0p-53;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
