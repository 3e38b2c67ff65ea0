package io.speculum.protocol;

import java.util.Arrays;

/**
 * The tokens the verifier's model ranked highest after {@code token} at one position it decoded, best first: a
 * handful of ids (never vocabulary-sized), what token-recycling drafters learn successor candidates from.
 */
public record Successors(int token, int[] candidates) {

    public Successors {
        candidates = candidates == null ? new int[0] : candidates.clone();
    }

    @Override
    public int[] candidates() {
        return candidates.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Successors s && token == s.token && Arrays.equals(candidates, s.candidates);
    }

    @Override
    public int hashCode() {
        return 31 * token + Arrays.hashCode(candidates);
    }

    @Override
    public String toString() {
        return "Successors[" + token + " -> " + Arrays.toString(candidates) + "]";
    }
}
