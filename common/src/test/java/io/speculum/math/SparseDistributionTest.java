package io.speculum.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SparseDistributionTest {

    private static SparseDistribution of(int[] ids, float[] probs) {
        return new SparseDistribution(ids, probs);
    }

    @Test
    void accessorsAndLookups() {
        SparseDistribution d = of(new int[] {7, 3, 11}, new float[] {0.5f, 0.3f, 0.2f});
        assertThat(d.size()).isEqualTo(3);
        assertThat(d.idAt(1)).isEqualTo(3);
        assertThat(d.probAt(2)).isEqualTo(0.2f);
        assertThat(d.probabilityOf(7)).isEqualTo(0.5f);
        assertThat(d.probabilityOf(11)).isEqualTo(0.2f);
        assertThat(d.probabilityOf(4)).isZero();
        assertThat(d.probabilityOf(-1)).isZero();
        assertThat(d.hasSingleToken()).isFalse();
    }

    @Test
    void pointMass() {
        SparseDistribution d = SparseDistribution.pointMass(42);
        assertThat(d.hasSingleToken()).isTrue();
        assertThat(d.ids()).containsExactly(42);
        assertThat(d.probs()).containsExactly(1f);
        assertThat(d.probabilityOf(42)).isEqualTo(1.0);
        assertThatIllegalArgumentException().isThrownBy(() -> SparseDistribution.pointMass(-1));
    }

    @Test
    void defensiveCopiesInAndOut() {
        int[] ids = {1, 2};
        float[] probs = {0.25f, 0.75f};
        SparseDistribution d = of(ids, probs);
        ids[0] = 9;
        probs[0] = 9f;
        assertThat(d.idAt(0)).isEqualTo(1);
        assertThat(d.probAt(0)).isEqualTo(0.25f);
        d.ids()[1] = 5;
        d.probs()[1] = 5f;
        assertThat(d.ids()).containsExactly(1, 2);
        assertThat(d.probs()).containsExactly(0.25f, 0.75f);
    }

    @Test
    void equalityIsOverContents() {
        SparseDistribution a = of(new int[] {1, 2}, new float[] {0.25f, 0.75f});
        SparseDistribution b = of(new int[] {1, 2}, new float[] {0.25f, 0.75f});
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(of(new int[] {2, 1}, new float[] {0.25f, 0.75f}));
        assertThat(a).isNotEqualTo(of(new int[] {1, 2}, new float[] {0.75f, 0.25f}));
        assertThat(a).isNotEqualTo("not a distribution");
        assertThat(a.toString()).isEqualTo("SparseDistribution[ids=[1, 2], probs=[0.25, 0.75]]");
    }

    @Test
    void zeroProbabilitiesAreAllowed() {
        SparseDistribution d = of(new int[] {1, 2}, new float[] {1f, 0f});
        assertThat(d.probabilityOf(2)).isZero();
    }

    @Test
    void sumToleranceIsOneThousandth() {
        assertThat(of(new int[] {1, 2}, new float[] {0.5f, 0.5009f}).size()).isEqualTo(2);
        assertThat(of(new int[] {1, 2}, new float[] {0.5f, 0.4991f}).size()).isEqualTo(2);
        assertThatIllegalArgumentException().isThrownBy(() -> of(new int[] {1, 2}, new float[] {0.5f, 0.502f}))
                .withMessageContaining("sum");
        assertThatIllegalArgumentException().isThrownBy(() -> of(new int[] {1, 2}, new float[] {0.5f, 0.498f}))
                .withMessageContaining("sum");
    }

    @Test
    void validation() {
        assertThatIllegalArgumentException().isThrownBy(() -> of(null, new float[] {1f}));
        assertThatIllegalArgumentException().isThrownBy(() -> of(new int[] {1}, null));
        assertThatIllegalArgumentException().isThrownBy(() -> of(new int[0], new float[0]))
                .withMessageContaining("at least one");
        assertThatIllegalArgumentException().isThrownBy(() -> of(new int[] {1, 2}, new float[] {1f}))
                .withMessageContaining("length");
        assertThatIllegalArgumentException().isThrownBy(() -> of(new int[] {-3}, new float[] {1f}))
                .withMessageContaining("negative");
        assertThatIllegalArgumentException().isThrownBy(() -> of(new int[] {4, 2, 4}, new float[] {0.5f, 0.25f, 0.25f}))
                .withMessageContaining("more than once");
        assertThatIllegalArgumentException().isThrownBy(() -> of(new int[] {1, 2}, new float[] {1.5f, -0.5f}))
                .withMessageContaining("-0.5");
        assertThatIllegalArgumentException().isThrownBy(() -> of(new int[] {1, 2}, new float[] {Float.NaN, 1f}))
                .withMessageContaining("NaN");
        assertThatIllegalArgumentException().isThrownBy(() -> of(new int[] {1, 2}, new float[] {Float.POSITIVE_INFINITY, 0f}))
                .withMessageContaining("Infinity");
    }

    @Test
    void jacksonRoundTripUsesExactlyIdsAndProbs() {
        JsonMapper mapper = JsonMapper.builder().build();
        for (SparseDistribution d : List.of(SparseDistribution.pointMass(3),
                of(new int[] {10, 0, 31999}, new float[] {0.6f, 0.3f, 0.1f}))) {
            String json = mapper.writeValueAsString(d);
            JsonNode tree = mapper.readTree(json);
            List<String> names = new ArrayList<>(tree.propertyNames());
            assertThat(names).containsExactly("ids", "probs");
            assertThat(mapper.readValue(json, SparseDistribution.class)).isEqualTo(d);
        }
    }

    @Test
    void jacksonValidatesOnTheWayIn() {
        JsonMapper mapper = JsonMapper.builder().build();
        assertThatThrownBy(() -> mapper.readValue("{\"ids\":[1,1],\"probs\":[0.5,0.5]}", SparseDistribution.class))
                .hasRootCauseInstanceOf(IllegalArgumentException.class);
    }
}
