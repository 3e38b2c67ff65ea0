package io.speculum.detector;

import java.util.ArrayList;
import java.util.List;

/** The runs of consecutive tokens whose contributions add up to the most machine-like evidence. */
final class EvidenceSpans {

    /** Tokens {@code [first, last]} with the sum of their contributions. */
    record Span(int first, int last, double sum) {
    }

    private EvidenceSpans() {
    }

    /**
     * Up to {@code count} non-overlapping windows of {@code width} tokens (all of them when the text is shorter) with
     * the highest positive sums, best first.
     */
    static List<Span> top(double[] contributions, int width, int count) {
        int n = contributions.length;
        int w = Math.min(width, n);
        List<Span> out = new ArrayList<>();
        if (w == 0) {
            return out;
        }
        double[] sums = new double[n - w + 1];
        double running = 0;
        for (int i = 0; i < n; i++) {
            running += contributions[i];
            if (i >= w) {
                running -= contributions[i - w];
            }
            if (i >= w - 1) {
                sums[i - w + 1] = running;
            }
        }
        boolean[] taken = new boolean[n];
        while (out.size() < count) {
            int best = -1;
            for (int s = 0; s < sums.length; s++) {
                if (!overlaps(taken, s, w) && sums[s] > 0 && (best < 0 || sums[s] > sums[best])) {
                    best = s;
                }
            }
            if (best < 0) {
                break;
            }
            for (int i = best; i < best + w; i++) {
                taken[i] = true;
            }
            out.add(new Span(best, best + w - 1, sums[best]));
        }
        return out;
    }

    private static boolean overlaps(boolean[] taken, int start, int width) {
        for (int i = start; i < start + width; i++) {
            if (taken[i]) {
                return true;
            }
        }
        return false;
    }
}
