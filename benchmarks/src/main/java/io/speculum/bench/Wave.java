package io.speculum.bench;

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
}
