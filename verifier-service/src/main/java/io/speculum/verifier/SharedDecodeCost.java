package io.speculum.verifier;

import io.speculum.llama.SharedDecode;

/**
 * What a decode shared by several sessions costs, learnt from the verifier's own decodes. In llama.cpp's
 * unified KV cache every token of a decode attends over every used cell, whichever session's, so a decode of n
 * tokens over c cached cells costs the start-up curve's t(n) (timed over a near-empty cache) plus β·n·c; β is learnt
 * from each decode's excess over t(n). On the padded ~150M target 16 one-token sessions of 100 cells each cost 2.2×
 * one session's 16 tokens, and this model puts every measured spread within 10% (docs/benchmarks.md). Thread-safe:
 * every session of a verifier reports to the one instance.
 */
final class SharedDecodeCost {

    private static final double DECAY = 0.9;
    /** Decodes with fewer token·cell pairs say too little about attention to learn β from (timing noise dominates). */
    private static final long MIN_TOKEN_CELLS = 256;

    private final CostCurve curve;
    /** β = the decayed sum of decodes' excess milliseconds over the decayed sum of their token·cell pairs. */
    private double excessMillis;
    private double tokenCells;

    SharedDecodeCost(CostCurve curve) {
        this.curve = curve;
    }

    /** A decode a session's verification was part of (each of its sessions may report it: same figures, same β). */
    synchronized void observe(SharedDecode decode) {
        if (!decode.known()) {
            return;
        }
        long pairs = (long) decode.tokens() * decode.cells();
        if (pairs >= MIN_TOKEN_CELLS) {
            excessMillis = excessMillis * DECAY + Math.max(0, decode.millis() - curve.millis(decode.tokens()));
            tokenCells = tokenCells * DECAY + pairs;
        }
    }

    /** Milliseconds a decode of {@code tokens} tokens over {@code cells} cached cells takes. */
    synchronized double millis(int tokens, int cells) {
        return curve.millis(tokens) + perTokenCell() * tokens * Math.max(0, cells);
    }

    /** β: milliseconds per token per cached cell beyond the start-up curve, as learnt. */
    synchronized double perTokenCell() {
        return tokenCells > 0 ? excessMillis / tokenCells : 0;
    }
}
