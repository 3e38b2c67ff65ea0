package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.speculum.llama.SharedDecode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SharedDecodeCostTest {

    private final CostCurve curve = CostCurve.of(10, Map.of(16, 4.0));

    @Test
    void untaughtItIsTheStartUpCurve() {
        SharedDecodeCost cost = new SharedDecodeCost(curve);
        assertThat(cost.millis(16, 5000)).isEqualTo(curve.millis(16));
    }

    @Test
    void learnsTheAttentionTermFromDecodesSlowerThanTheCurve() {
        SharedDecodeCost cost = new SharedDecodeCost(curve);
        // 16 tokens over 1000 cells took 40 ms more than the curve's 40: 0.0025 ms per token-cell
        for (int i = 0; i < 100; i++) {
            cost.observe(new SharedDecode(16, 16, 1000, 80));
        }
        assertThat(cost.perTokenCell()).isCloseTo(0.0025, within(1e-6));
        assertThat(cost.millis(16, 1000)).isCloseTo(80, within(0.01));
        assertThat(cost.millis(16, 2000)).as("twice the cells, twice the attention").isCloseTo(120, within(0.01));
        assertThat(cost.millis(16, 0)).isEqualTo(curve.millis(16));
    }

    @Test
    void fasterThanTheCurveTeachesNoNegativeCostAndUnknownDecodesTeachNothing() {
        SharedDecodeCost cost = new SharedDecodeCost(curve);
        cost.observe(new SharedDecode(1, 16, 1000, 5));
        cost.observe(SharedDecode.UNKNOWN);
        assertThat(cost.perTokenCell()).isZero();
    }

    @Test
    void aDecodeOfFewTokenCellsTeachesNothing() {
        SharedDecodeCost cost = new SharedDecodeCost(curve);
        cost.observe(new SharedDecode(1, 2, 10, 500));
        assertThat(cost.perTokenCell()).isZero();
    }
}
