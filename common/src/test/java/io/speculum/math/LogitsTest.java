package io.speculum.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LogitsTest {

    private static int[] referenceOrder(float[] row, int limit) {
        return IntStream.range(0, row.length).boxed()
                .filter(i -> row[i] != Float.NEGATIVE_INFINITY)
                .sorted(Comparator.<Integer>comparingDouble(i -> -row[i]).thenComparing(i -> i))
                .limit(limit).mapToInt(Integer::intValue).toArray();
    }

    private static int[] ids(long[] keys) {
        return java.util.Arrays.stream(keys).mapToInt(Logits::id).toArray();
    }

    @Test
    void keysOrderByDescendingLogitThenAscendingId() {
        float[] row = {-0.0f, 0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.NEGATIVE_INFINITY, 1f, -1f, 1f, 1e-30f, -1e-30f};
        int[] expected = {4, 7, 9, 10, 2, 0, 1, 3, 11, 8, 5};
        assertThat(ids(Logits.sortedFinite(row))).containsExactly(expected);
        assertThat(ids(Logits.top(row, 5))).containsExactly(4, 7, 9, 10, 2);
        assertThat(Logits.id(Logits.key(3f, 31_999))).isEqualTo(31_999);
    }

    @Test
    void topSelectionMatchesAFullSort() {
        Random random = new Random(21);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(trial < 150 ? 40 : 20_000);
            float[] row = new float[n];
            for (int i = 0; i < n; i++) {
                row[i] = random.nextInt(8) == 0 ? Float.NEGATIVE_INFINITY : (float) Math.round(random.nextGaussian() * 6) / 2f;
            }
            int k = random.nextInt(n + 5);
            assertThat(ids(Logits.top(row, k))).as("n=%d k=%d", n, k).containsExactly(referenceOrder(row, k));
        }
        assertThat(Logits.top(new float[] {1f}, 0)).isEmpty();
    }

    @Test
    void requireValidReturnsTheMaximum() {
        assertThat(Logits.requireValid(new float[] {Float.NEGATIVE_INFINITY, -3f, 2f, 1f})).isEqualTo(2f);
    }
}
