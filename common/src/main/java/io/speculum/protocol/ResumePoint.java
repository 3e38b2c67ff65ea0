package io.speculum.protocol;

import java.util.Arrays;

/**
 * Where a generation that another verifier had started goes on: the completion tokens its client already has and the
 * round to number the next event with. A verifier given one prefills the prompt and these tokens in one decode and
 * commits from completion position {@code tokens.length} on; with deterministic decoding and randomness keyed by
 * (seed, position) the continuation is the one the first verifier would have sent.
 *
 * @param round  the round number of the first event the new verifier sends (one past the last the client has), so
 *               that rounds stay increasing for drafters that hold the generation's older state
 * @param tokens the completion tokens the client already has (position 0 on), none when nothing arrived yet
 */
public record ResumePoint(int round, int[] tokens) {

    public ResumePoint {
        if (round < 0) {
            throw new IllegalArgumentException("a resume round is not negative: " + round);
        }
        tokens = tokens == null ? new int[0] : tokens;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResumePoint r && round == r.round && Arrays.equals(tokens, r.tokens);
    }

    @Override
    public int hashCode() {
        return 31 * round + Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
        return "ResumePoint[round " + round + ", " + tokens.length + " tokens]";
    }
}
