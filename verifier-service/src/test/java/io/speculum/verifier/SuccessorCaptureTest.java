package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.protocol.Successors;
import org.junit.jupiter.api.Test;

class SuccessorCaptureTest {

    @Test
    void keepsTheTopCandidatesOfTheLatestPositionsOnly() {
        SuccessorCapture capture = new SuccessorCapture(2, 3);
        capture.learn(1, new float[] {0f, 3f, 1f, 2f});
        capture.learn(2, new float[] {5f, 0f, 1f, 2f});
        capture.learn(3, new float[] {0f, 0f, 9f, 8f});
        capture.learn(4, new float[] {1f, 2f, 3f, 4f});
        assertThat(capture.list()).extracting(Successors::token).containsExactly(2, 3, 4);
        assertThat(capture.list()).extracting(Successors::candidates)
                .containsExactly(new int[] {0, 3}, new int[] {2, 3}, new int[] {3, 2});
        capture.clear();
        assertThat(capture.list()).isEmpty();
    }

    @Test
    void withoutCandidatesNothingIsKept() {
        SuccessorCapture capture = new SuccessorCapture(0, 3);
        capture.learn(1, new float[] {0f, 3f});
        assertThat(capture.list()).isEmpty();
    }
}
