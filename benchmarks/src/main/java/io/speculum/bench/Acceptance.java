package io.speculum.bench;

import java.util.Arrays;
import java.util.List;

/** What verification accepted over a set of generations, and the drafter hop of every drafted round. */
record Acceptance(long drafted, long accepted, long rounds, double[] hops) {

    static Acceptance of(List<Generation> generations) {
        return new Acceptance(generations.stream().mapToLong(Generation::drafted).sum(),
                generations.stream().mapToLong(Generation::accepted).sum(),
                generations.stream().mapToLong(Generation::rounds).sum(),
                generations.stream().flatMapToDouble(g -> Arrays.stream(g.hops())).toArray());
    }

    /** Acceptance rate: accepted over drafted tokens. */
    double alpha() {
        return drafted == 0 ? 0 : (double) accepted / drafted;
    }

    /** Mean tokens committed per verification round, the bonus (or correction) token included. */
    double tau() {
        return rounds == 0 ? 0 : (double) (accepted + rounds) / rounds;
    }
}
