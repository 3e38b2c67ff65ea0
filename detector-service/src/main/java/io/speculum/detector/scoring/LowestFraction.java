package io.speculum.detector.scoring;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The mean of the lowest {@code k} fraction of one per-token value: at least one token, {@code floor(k · n)} of them
 * otherwise; ties are broken by position so the selection is deterministic. Only the selected tokens contribute.
 */
interface LowestFraction extends TextScore {

    /** {@code k}, in (0, 1]. */
    double fraction();

    /** The per-token value whose lowest fraction is averaged. */
    double value(TokenEvidence token);

    static void requireFraction(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("k must be in (0, 1], was " + fraction);
        }
    }

    @Override
    default double score(TextEvidence text) {
        int[] selected = lowest(text);
        double sum = 0;
        for (int i : selected) {
            sum += value(text.get(i));
        }
        return sum / selected.length;
    }

    @Override
    default double[] contributions(TextEvidence text) {
        int[] selected = lowest(text);
        double[] out = new double[text.size()];
        for (int i : selected) {
            out[i] = machineDirection() * value(text.get(i)) / selected.length;
        }
        return out;
    }

    /** Indices of the selected tokens. */
    private int[] lowest(TextEvidence text) {
        TextScore.requireTokens(text);
        int n = text.size();
        int m = Math.max(1, (int) Math.floor(fraction() * n));
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = value(text.get(i));
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
}
