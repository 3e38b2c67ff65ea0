package io.speculum.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AcceptanceEstimateTest {

    @Test
    void withoutDecayItIsTheMaximumLikelihoodEstimateWithThePrior() {
        AcceptanceEstimate estimate = new AcceptanceEstimate(0.5, 2, 1);
        assertThat(estimate.alpha()).isEqualTo(0.5);
        estimate.observe(4, 4); // no rejection
        estimate.observe(4, 1); // one accepted, then a rejection
        estimate.observe(0, 0); // nothing drafted: no evidence
        assertThat(estimate.rounds()).isEqualTo(2);
        assertThat(estimate.alpha()).isCloseTo((5 + 1.0) / (5 + 1 + 2), within(1e-12));
    }

    @Test
    void itRecoversTheAcceptanceRateOfSimulatedChains() {
        Random random = new Random(7);
        for (double alpha : new double[] {0.05, 0.4, 0.9, 0.99}) {
            AcceptanceEstimate estimate = new AcceptanceEstimate(0.5, 2, 1);
            for (int round = 0; round < 20_000; round++) {
                int accepted = 0;
                while (accepted < 8 && random.nextDouble() < alpha) {
                    accepted++;
                }
                estimate.observe(8, accepted);
            }
            assertThat(estimate.alpha()).as("alpha %s", alpha).isCloseTo(alpha, within(0.01));
        }
    }

    @Test
    void olderEvidenceFadesSoTheEstimateFollowsAChange() {
        AcceptanceEstimate estimate = AcceptanceEstimate.standard();
        for (int i = 0; i < 50; i++) {
            estimate.observe(8, 8);
        }
        assertThat(estimate.alpha()).isGreaterThan(0.95);
        for (int i = 0; i < 8; i++) {
            estimate.observe(8, 0);
        }
        assertThat(estimate.alpha()).as("a few failed rounds outweigh a long-gone success").isLessThan(0.9);
        for (int i = 0; i < 60; i++) {
            estimate.observe(4, 0);
        }
        assertThat(estimate.alpha()).isLessThan(0.1);
    }

    @Test
    void expectedAcceptedLengthIsTheGeometricSum() {
        assertThat(AcceptanceEstimate.expectedAccepted(0.5, 3)).isCloseTo(0.5 + 0.25 + 0.125, within(1e-12));
        assertThat(AcceptanceEstimate.expectedAccepted(1, 8)).isEqualTo(8);
        assertThat(AcceptanceEstimate.expectedAccepted(0.9, 0)).isZero();
        assertThatThrownBy(() -> new AcceptanceEstimate(1.5, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AcceptanceEstimate(0.5, 1, 1).observe(2, 3)).isInstanceOf(IllegalArgumentException.class);
    }
}
