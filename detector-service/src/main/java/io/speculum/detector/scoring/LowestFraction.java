package io.speculum.detector.scoring;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.ToDoubleFunction;

/**
 * The mean of the lowest {@code k} fraction of one per-token value: at least one token, {@code floor(k · n)} of them
 * otherwise; ties are broken by position so the selection is deterministic. Only the selected tokens contribute.
 */
abstract class LowestFraction implements TextScore {

    private final double fraction;
    private final ToDoubleFunction<TokenEvidence> value;

    LowestFraction(double fraction, ToDoubleFunction<TokenEvidence> value) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("k must be in (0, 1], was " + fraction);
        }
        this.fraction = fraction;
        this.value = value;
    }

    public double fraction() {
        return fraction;
    }

    /** Indices of the selected tokens. */
    int[] lowest(TextEvidence text) {
        TextScore.requireTokens(text);
        int n = text.size();
        int m = Math.max(1, (int) Math.floor(fraction * n));
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = value.applyAsDouble(text.get(i));
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> values[i]).thenComparingInt(i -> i));
        int[] out = new int[m];
        for (int i = 0; i < m; i++) {
            out[i] = order[i];
        }
        return out;
    }

    @Override
    public double score(TextEvidence text) {
        int[] selected = lowest(text);
        double sum = 0;
        for (int i : selected) {
            sum += value.applyAsDouble(text.get(i));
        }
        return sum / selected.length;
    }

    @Override
    public double[] contributions(TextEvidence text) {
        int[] selected = lowest(text);
        double[] out = new double[text.size()];
        for (int i : selected) {
            out[i] = machineDirection() * value.applyAsDouble(text.get(i)) / selected.length;
        }
        return out;
    }
}
