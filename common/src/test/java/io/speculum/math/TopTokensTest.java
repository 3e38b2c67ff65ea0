package io.speculum.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class TopTokensTest {

    @Test
    void copiesAndContentEquality() {
        int[] ids = {4, 1};
        float[] logProbs = {-0.1f, -2.5f};
        TopTokens top = new TopTokens(ids, logProbs);
        ids[0] = 9;
        logProbs[0] = 9f;
        top.ids()[1] = 7;
        assertThat(top.ids()).containsExactly(4, 1);
        assertThat(top.logProbs()).containsExactly(-0.1f, -2.5f);
        assertThat(top.size()).isEqualTo(2);
        assertThat(top.idAt(1)).isEqualTo(1);
        assertThat(top.logProbAt(1)).isEqualTo(-2.5f);
        TopTokens same = new TopTokens(new int[] {4, 1}, new float[] {-0.1f, -2.5f});
        assertThat(top).isEqualTo(same).hasSameHashCodeAs(same);
        assertThat(top).isNotEqualTo(new TopTokens(new int[] {4, 2}, new float[] {-0.1f, -2.5f}));
        assertThat(top.toString()).isEqualTo("TopTokens[ids=[4, 1], logProbs=[-0.1, -2.5]]");
    }

    @Test
    void validation() {
        assertThatIllegalArgumentException().isThrownBy(() -> new TopTokens(new int[] {1}, new float[0])).withMessageContaining("length");
        assertThatIllegalArgumentException().isThrownBy(() -> new TopTokens(null, new float[0]));
    }
}
