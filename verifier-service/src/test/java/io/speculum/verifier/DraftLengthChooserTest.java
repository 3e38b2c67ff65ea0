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

    /** The padded ~150M target's cost curve (t1 45 ms), as measured up to 144 tokens in one sequence. */
    private final CostCurve padded = CostCurve.of(45, Map.of(4, 1.27, 8, 1.75, 16, 2.84, 32, 5.17, 144, 24.85));

    @Test
    void besideManySessionsOnACpuNoDraftPaysButBesideAFewItDoes() {
        SharedDecodeCost cost = new SharedDecodeCost(padded);
        // α 0.98: the Q8_0 drafter's τ of 8.2 per 9-token round in the benchmark
        // what decodes spread over 16 sequences of 80 cached tokens measured (docs/benchmarks.md): 16 tokens
        // 311 ms, 144 tokens 3224 ms (a one-sequence decode of 144 tokens: 1266 ms)
        cost.observe(new io.speculum.llama.SharedDecode(16, 16, 1280, 311));
        cost.observe(new io.speculum.llama.SharedDecode(16, 144, 1280, 3224));
        DecodeShare sixteen = new DecodeShare(16, 1280, cost);
        // 16 sessions: the decode is compute-bound, 9 tokens cost a session more than the 8.2 it gains (one more
        // token is about even)
        assertThat(DraftLengthChooser.tokensPerMilli(0.98, 1, 1, sixteen, k -> 0, 8))
                .isLessThan(DraftLengthChooser.tokensPerMilli(0.98, 1, 1, sixteen, k -> 0, 0));
        assertThat(DraftLengthChooser.best(0.98, 1, 1, sixteen, k -> 0, 8)).isLessThanOrEqualTo(1);
        DecodeShare four = new DecodeShare(4, 320, cost);
        assertThat(DraftLengthChooser.best(0.98, 1, 1, four, k -> 0, 8)).as("4 sessions: long drafts still pay").isGreaterThanOrEqualTo(6);
        DecodeShare alone = new DecodeShare(1, 80, cost);
        assertThat(DraftLengthChooser.best(0.98, 1, 1, alone, k -> 0, 8)).as("alone").isEqualTo(8);
    }

    @Test
    void aSessionAloneIsPricedByTheCurveAsBefore() {
        for (double alpha : new double[] {0.1, 0.5, 0.8, 0.95}) {
            DecodeShare alone = DecodeShare.alone(cpu);
            for (int k = 0; k <= 8; k++) {
                assertThat(DraftLengthChooser.tokensPerMilli(alpha, 1, 1, alone, h -> 3, k))
                        .isEqualTo(DraftLengthChooser.tokensPerMilli(alpha, 1, cpu, h -> 3, k));
            }
        }
    }
}
