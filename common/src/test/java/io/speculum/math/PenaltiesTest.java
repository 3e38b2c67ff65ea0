package io.speculum.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PenaltiesTest {

    private static final float[] LOGITS = {2f, -1f, 0.5f, 3f, -2f};

    @Test
    void noPenaltiesLeaveTheRowAsItIs() {
        assertThat(Penalties.NONE.apply(LOGITS, new int[] {1, 1}, 2, 0)).isSameAs(LOGITS);
    }

    @Test
    void biasThenRepetitionThenFrequencyAndPresenceAsVllmApplyThem() {
        // prompt [0], output [1, 1, 3] and, not yet part of the context, token 4 after the cut
        int[] context = {0, 1, 1, 3, 4};
        Penalties penalties = new Penalties(Map.of(2, 1.5, 3, -1.0), 0.5, 0.25, 2.0);
        float[] out = penalties.apply(LOGITS, context, 4, 1);
        assertThat(out[0]).as("prompt token: repetition only").isCloseTo(2f / 2, within(1e-6f));
        assertThat(out[1]).as("negative logit seen twice in the output").isCloseTo(-1f * 2 - 0.5f * 2 - 0.25f, within(1e-6f));
        assertThat(out[2]).as("bias only").isCloseTo(2f, within(1e-6f));
        assertThat(out[3]).as("bias, then repetition, then once").isCloseTo((3f - 1f) / 2 - 0.5f - 0.25f, within(1e-6f));
        assertThat(out[4]).as("beyond the context: untouched").isEqualTo(-2f);
        assertThat(LOGITS[1]).as("the input row is not changed").isEqualTo(-1f);
    }

    @Test
    void outOfRangeValuesAreRefused() {
        assertThatThrownBy(() -> new Penalties(Map.of(1, 101.0), 0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Penalties(Map.of(), 2.5, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Penalties(Map.of(), 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Penalties(null, 0, 0, 1).changesNothing()).isTrue();
    }
}
