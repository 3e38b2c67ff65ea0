package io.speculum.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TokenObservationTest {

    @Test
    void derivedValues() {
        TokenObservation o = new TokenObservation(3, Math.log(0.25), 2, 1.2, Math.log(0.5));
        assertThat(o.probability()).isCloseTo(0.25, within(1e-15));
        assertThat(o.logProbGap()).isCloseTo(Math.log(2), within(1e-15));
        TokenObservation top = new TokenObservation(1, -0.3, 0, 0.9, -0.3);
        assertThat(top.logProbGap()).isZero();
    }
}
