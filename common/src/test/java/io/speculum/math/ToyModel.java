package io.speculum.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deterministic toy language model for the verification tests: a distribution over {0,1,2} for every prefix,
 * sharp or flat depending on salt, with the exact joint law of what sampling from it emits.
 */
record ToyModel(int salt, boolean sparse) {

    static final int VOCABULARY = 3;
    static final ToyModel TARGET = new ToyModel(1, false);
    static final ToyModel DRAFTER = new ToyModel(2, true);

    SparseDistribution next(List<Integer> prefix) {
        long h = salt * 0x9E3779B97F4A7C15L;
        for (int t : prefix) {
            h = (h ^ t) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 29;
        }
        double[] w = new double[VOCABULARY];
        double total = 0;
        for (int i = 0; i < VOCABULARY; i++) {
            h = (h ^ i) * 0x94D049BB133111EBL;
            h ^= h >>> 31;
            w[i] = sparse && i == (int) Math.floorMod(h, 5) ? 0 : 0.05 + (h >>> 11) / (double) (1L << 53);
            total += w[i];
        }
        List<Integer> ids = new ArrayList<>();
        List<Float> probs = new ArrayList<>();
        for (int i = 0; i < VOCABULARY; i++) {
            if (w[i] > 0) {
                ids.add(i);
                probs.add((float) (w[i] / total));
            }
        }
        float sum = 0;
        for (float f : probs) {
            sum += f;
        }
        probs.set(probs.size() - 1, probs.getLast() + (1 - sum));
        float[] p = new float[probs.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = probs.get(i);
        }
        return new SparseDistribution(ids.stream().mapToInt(Integer::intValue).toArray(), p);
    }

    /** Adds to {@code law}, weighted by {@code mass}, the exact law of {@code prefix} sampled on to {@code length} tokens. */
    void extend(List<Integer> prefix, double mass, Map<List<Integer>, Double> law, int length) {
        if (prefix.size() == length) {
            law.merge(prefix, mass, Double::sum);
            return;
        }
        SparseDistribution p = next(prefix);
        for (int i = 0; i < p.size(); i++) {
            extend(append(prefix, p.idAt(i)), mass * p.probAt(i), law, length);
        }
    }

    /** {@code law} is this model's own joint law of {@code length} tokens. */
    void assertSameLaw(Map<List<Integer>, Double> law, int length) {
        Map<List<Integer>, Double> own = new HashMap<>();
        extend(new ArrayList<>(), 1.0, own, length);
        assertThat(law.keySet()).isSubsetOf(own.keySet());
        double total = 0;
        for (var e : own.entrySet()) {
            assertThat(law.getOrDefault(e.getKey(), 0.0)).as("P%s", e.getKey()).isCloseTo(e.getValue(), within(1e-5));
            total += law.getOrDefault(e.getKey(), 0.0);
        }
        assertThat(total).isCloseTo(1.0, within(1e-5));
    }

    static List<Integer> append(List<Integer> prefix, int token) {
        List<Integer> out = new ArrayList<>(prefix);
        out.add(token);
        return out;
    }
}
