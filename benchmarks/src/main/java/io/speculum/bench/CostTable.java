package io.speculum.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * The measured time of one decode of n tokens on the padded target, with batch-invariant kernels (as the verifier
 * runs by default) and without (plain llama.cpp, as the target alone runs): the bounds the goals are checked against.
 */
record CostTable(Map<Integer, Double> invariantMicros, Map<Integer, Double> plainMicros) {

    CostTable {
        invariantMicros = new TreeMap<>(invariantMicros);
        plainMicros = new TreeMap<>(plainMicros);
    }

    /** t(n) on the verifier's kernels, µs. */
    double verifier(int n, boolean invariant) {
        Double micros = (invariant ? invariantMicros : plainMicros).get(n);
        if (micros == null) {
            throw new IllegalArgumentException("no decode of " + n + " tokens was timed");
        }
        return micros;
    }

    /** t1: one token on plain kernels, as the target alone decodes, µs. */
    double targetAloneToken() {
        return plainMicros.get(1);
    }

    /**
     * What speculation can reach at most over the target alone: τ tokens per round, each round one decode of
     * {@code n} tokens on the verifier's kernels, against one plain decode per token.
     */
    double bound(double tau, int n, boolean invariant) {
        return tau * targetAloneToken() / verifier(n, invariant);
    }
}
