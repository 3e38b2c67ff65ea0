package io.speculum.detector.data;

import io.speculum.math.SamplingParams;
import java.util.List;

/**
 * How a machine text is decoded: the sampling truncations and, for greedy decoding, a repetition penalty (without
 * one, greedy decoding of these small models loops). The four {@link #SETTINGS} are those a user is likely to run.
 *
 * @param name              short label used in data files and tables, e.g. {@code T0.8-p0.95}
 * @param repetitionPenalty CTRL-style penalty on tokens of the last {@link #PENALTY_WINDOW}: positive logits are
 *                          divided by it, negative ones multiplied; 1 = off
 */
public record Decoding(String name, double temperature, int topK, double topP, double repetitionPenalty) {

    public static final int PENALTY_WINDOW = 64;

    public static final Decoding PURE = new Decoding("T1", 1.0, 0, 1.0, 1.0);
    public static final Decoding NUCLEUS = new Decoding("T0.8-p0.95", 0.8, 0, 0.95, 1.0);
    public static final Decoding TOP_K = new Decoding("T0.7-k40", 0.7, 40, 1.0, 1.0);
    public static final Decoding GREEDY_PENALISED = new Decoding("greedy-rp1.3", 0.0, 0, 1.0, 1.3);

    public static final List<Decoding> SETTINGS = List.of(PURE, NUCLEUS, TOP_K, GREEDY_PENALISED);

    public Decoding {
        if (!(repetitionPenalty >= 1)) {
            throw new IllegalArgumentException("repetitionPenalty must be >= 1 (1 = off), was " + repetitionPenalty);
        }
        new SamplingParams(temperature, topK, topP, 0, 0); // validates the rest
    }

    public static Decoding named(String name) {
        return SETTINGS.stream().filter(d -> d.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown decoding " + name + "; known: "
                        + SETTINGS.stream().map(Decoding::name).toList()));
    }

    public SamplingParams params(long seed) {
        return new SamplingParams(temperature, topK, topP, 0, seed);
    }

    /** Applies the repetition penalty in place to the tokens among {@code history[from, to)}. */
    public void penalise(float[] logits, int[] history, int from, int to) {
        if (repetitionPenalty == 1) {
            return;
        }
        java.util.BitSet seen = new java.util.BitSet(logits.length);
        for (int i = Math.max(from, to - PENALTY_WINDOW); i < to; i++) {
            int t = history[i];
            if (!seen.get(t)) {
                seen.set(t);
                logits[t] = logits[t] > 0 ? (float) (logits[t] / repetitionPenalty) : (float) (logits[t] * repetitionPenalty);
            }
        }
    }
}
