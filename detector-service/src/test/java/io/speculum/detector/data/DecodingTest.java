package io.speculum.detector.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DecodingTest {

    @Test
    void repetitionPenaltyShrinksPositiveAndGrowsNegativeLogitsOfRecentTokensOnce() {
        float[] logits = {2f, -1f, 3f, 0.5f};
        Decoding.GREEDY_PENALISED.penalise(logits, new int[] {0, 1, 0, 0}, 0, 4);
        assertThat(logits[0]).isEqualTo((float) (2 / 1.3));
        assertThat(logits[1]).isEqualTo((float) (-1 * 1.3));
        assertThat(logits[2]).isEqualTo(3f);
        assertThat(logits[3]).isEqualTo(0.5f);
    }

    @Test
    void thePenaltyReachesOnlyTheLastWindowOfTokens() {
        int[] history = new int[Decoding.PENALTY_WINDOW + 1];
        history[0] = 1; // one token older than the window
        float[] logits = {2f, 2f};
        Decoding.GREEDY_PENALISED.penalise(logits, history, 0, history.length);
        assertThat(logits[1]).isEqualTo(2f);
        assertThat(logits[0]).isLessThan(2f);
    }

    @Test
    void settingsAreNamedAndValidated() {
        assertThat(Decoding.SETTINGS).extracting(Decoding::name).containsExactly("T1", "T0.8-p0.95", "T0.7-k40", "greedy-rp1.3");
        assertThat(Decoding.named("T0.7-k40").params(1).topK()).isEqualTo(40);
        assertThat(Decoding.GREEDY_PENALISED.params(1).deterministic()).isTrue();
        assertThatThrownBy(() -> Decoding.named("T9")).hasMessageContaining("unknown decoding T9");
        assertThatThrownBy(() -> new Decoding("x", 1, 0, 1, 0.5)).hasMessageContaining("repetitionPenalty");
        float[] untouched = {1f};
        Decoding.PURE.penalise(untouched, new int[] {0}, 0, 1);
        assertThat(untouched[0]).isEqualTo(1f);
    }
}
