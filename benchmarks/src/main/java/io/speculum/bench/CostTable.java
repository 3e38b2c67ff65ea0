package io.speculum.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * The measured time of one decode of n tokens on the padded target, with batch-invariant kernels (as the verifier
 * runs by default) and without (plain llama.cpp, as the target alone runs): the bounds the goals are checked against.
 * {@code spreadMicros} holds, per concurrency c, the verifier's decodes of c and c·(k + 1) tokens spread over c
 * sequences with a mid-generation cache each (keys {@code c} and {@code c * (k + 1)}): what c sessions really cost.
 */
record CostTable(Map<Integer, Double> invariantMicros, Map<Integer, Double> plainMicros, Map<Integer, Double> spreadMicros) {

    CostTable {
        invariantMicros = new TreeMap<>(invariantMicros);
        plainMicros = new TreeMap<>(plainMicros);
        spreadMicros = new TreeMap<>(spreadMicros);
    }

    /** t(n) of n tokens spread over c sequences, µs; the one-sequence figure where that was not timed. */
    double spread(int n, boolean invariant) {
        Double micros = spreadMicros.get(n);
        return micros != null ? micros : verifier(n, invariant);
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
