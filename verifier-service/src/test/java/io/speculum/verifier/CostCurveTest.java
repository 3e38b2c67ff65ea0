package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CostCurveTest {

    private final CostCurve issue = CostCurve.of(10, Map.of(4, 2.4, 8, 3.4));

    @Test
    void knownPointsAreExactAndTheRestIsLinear() {
        assertThat(issue.relative(1)).isEqualTo(1.0);
        assertThat(issue.relative(4)).isEqualTo(2.4);
        assertThat(issue.relative(2)).isCloseTo(1 + 1.4 / 3, within(1e-12));
        assertThat(issue.relative(6)).isCloseTo(2.9, within(1e-12));
        assertThat(issue.relative(12)).as("beyond the last point the last segment goes on").isCloseTo(4.4, within(1e-12));
        assertThat(issue.millis(8)).isCloseTo(34, within(1e-9));
        assertThat(CostCurve.of(2, Map.of()).relative(5)).as("only one point: flat").isEqualTo(1.0);
    }

    @Test
    void curvesThatMakeMoreTokensCheaperOrHaveNoSpeedAreRefused() {
        assertThatThrownBy(() -> CostCurve.of(1, Map.of(4, 2.0, 8, 1.5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CostCurve.of(0, Map.of(4, 2.0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CostCurve.of(1, Map.of(0, 0.5))).isInstanceOf(IllegalArgumentException.class);
    }
}
