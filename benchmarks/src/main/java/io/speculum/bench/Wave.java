package io.speculum.bench;

import java.util.Arrays;
import java.util.List;

/** Generations served together (all sent at once), with the wall time from the first request to the last end. */
record Wave(List<Generation> generations, double seconds) {

    Wave {
        generations = List.copyOf(generations);
    }

    long tokens() {
        return generations.stream().mapToLong(Generation::tokens).sum();
    }

    /** Throughput: all tokens over the wave's wall time. */
    double tokensPerSecond() {
        return tokens() / seconds;
    }

    long drafted() {
        return generations.stream().mapToLong(Generation::drafted).sum();
    }

    long accepted() {
        return generations.stream().mapToLong(Generation::accepted).sum();
    }

    long rounds() {
        return generations.stream().mapToLong(Generation::rounds).sum();
    }

    /** Acceptance rate: accepted over drafted tokens. */
    double alpha() {
        return drafted() == 0 ? 0 : (double) accepted() / drafted();
    }

    /** Mean tokens committed per verification round, the bonus (or correction) token included. */
    double tau() {
        return rounds() == 0 ? 0 : (double) (accepted() + rounds()) / rounds();
    }

    double[] hops() {
        return generations.stream().flatMapToDouble(g -> Arrays.stream(g.hops())).toArray();
    }
}
