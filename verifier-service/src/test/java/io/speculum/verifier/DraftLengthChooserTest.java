package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DraftLengthChooserTest {

    /** The measurement on a ~150M-parameter CPU target: k = 4 costs 2.4x, k = 8 3.4x one token. */
    private final CostCurve cpu = CostCurve.of(20, Map.of(4, 2.4, 8, 3.4));

    @Test
    void aPoorDrafterIsNotWorthItsVerificationCost() {
        assertThat(DraftLengthChooser.best(0.006, 1, cpu, k -> 0, 8)).isZero();
        assertThat(DraftLengthChooser.best(0.23, 1, cpu, k -> 0, 8)).isZero();
    }

    @Test
    void aNearlyPerfectDrafterDraftsLong() {
        assertThat(DraftLengthChooser.best(0.99, 1, cpu, k -> 0, 8)).isEqualTo(8);
        assertThat(DraftLengthChooser.best(0.9, 1, cpu, k -> 0, 8)).isGreaterThanOrEqualTo(4);
        assertThat(DraftLengthChooser.best(0.99, 1, cpu, k -> 0, 3)).as("never beyond the request's k").isEqualTo(3);
    }

    @Test
    void slowDraftsAndDraftersThatOftenHaveNothingShortenOrStopSpeculation() {
        int free = DraftLengthChooser.best(0.7, 1, cpu, k -> 0, 8);
        assertThat(free).isPositive();
        assertThat(DraftLengthChooser.best(0.7, 1, cpu, k -> 200, 8)).as("a round trip of 10 decodes").isZero();
        assertThat(DraftLengthChooser.best(0.7, 0.1, cpu, k -> 0, 8)).as("proposes something one round in ten").isZero();
        // a model drafter whose every token costs as much as a target decode: long drafts do not pay
        assertThat(DraftLengthChooser.best(0.99, 1, cpu, k -> 20.0 * k, 8)).isZero();
        assertThat(DraftLengthChooser.best(0.99, 1, cpu, k -> 2.0 * k, 8)).isBetween(1, 8);
    }

    @Test
    void onAFlatCurveEvenAWeakDrafterPaysWhenItsDraftsAreFree() {
        CostCurve flat = CostCurve.of(1, Map.of(16, 1.0));
        assertThat(DraftLengthChooser.best(0.2, 1, flat, k -> 0, 8)).isEqualTo(8);
        assertThat(DraftLengthChooser.tokensPerMilli(0.2, 1, flat, k -> 0, 8)).isGreaterThan(DraftLengthChooser.tokensPerMilli(0.2, 1, flat, k -> 0, 0));
    }
}
