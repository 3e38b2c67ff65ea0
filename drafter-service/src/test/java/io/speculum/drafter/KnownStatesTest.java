package io.speculum.drafter;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.math.SamplingParams;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.GenerationState;
import io.speculum.protocol.TokenDelta;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class KnownStatesTest {

    private static final GenerationState STATE = new GenerationState("r", 0, "replies", "m", "fp", 2, new int[] {1, 5, 9}, 64,
            SamplingParams.greedy(), null, null, 0, 0);

    private static DraftRequest delta(String id, int round, int from, int... tokens) {
        return new DraftRequest(id, round, null, new TokenDelta(from, tokens), 4, "model", 0, List.of(), 0);
    }

    @Test
    void deltasApplyToTheLastStateAndRepeatsResolveToTheSame() {
        KnownStates known = new KnownStates(8, Duration.ofMinutes(1));
        assertThat(known.resolve(new DraftRequest(STATE, 4, "model", 0)).state()).isEqualTo(STATE);
        DraftRequest first = known.resolve(delta("r", 1, 3, 7, 8));
        assertThat(first.state().tokens()).containsExactly(1, 5, 9, 7, 8);
        assertThat(first.state().round()).isEqualTo(1);
        assertThat(first.state().promptLength()).isEqualTo(2);
        assertThat(known.resolve(delta("r", 1, 3, 7, 8)).state()).as("redelivered").isEqualTo(first.state());
        assertThat(known.resolve(delta("r", 2, 5, 4)).state().tokens()).containsExactly(1, 5, 9, 7, 8, 4);
    }

    @Test
    void aDeltaWithoutItsBaseResolvesToNothing() {
        KnownStates known = new KnownStates(8, Duration.ofMinutes(1));
        assertThat(known.resolve(delta("unknown", 1, 3, 7))).isNull();
        known.resolve(new DraftRequest(STATE, 4, "model", 0));
        assertThat(known.resolve(delta("r", 1, 4, 7))).as("a gap: a request was lost").isNull();
        known.forget("r");
        assertThat(known.resolve(delta("r", 1, 3, 7))).as("released").isNull();
    }

    @Test
    void aReplayedOlderStateDoesNotReplaceANewerOne() {
        KnownStates known = new KnownStates(8, Duration.ofMinutes(1));
        DraftRequest whole = new DraftRequest(STATE, 4, "model", 0);
        known.resolve(whole);
        known.resolve(delta("r", 1, 3, 7));
        assertThat(known.resolve(whole).state()).isEqualTo(STATE);
        assertThat(known.resolve(delta("r", 2, 4, 6)).state().tokens()).containsExactly(1, 5, 9, 7, 6);
    }

    @Test
    void itIsBoundedAndForgetful() {
        KnownStates known = new KnownStates(2, Duration.ofMillis(50));
        for (String id : List.of("a", "b", "c")) {
            known.resolve(new DraftRequest(new GenerationState(id, 0, "replies", "m", "fp", 2, new int[] {1, 2}, 8,
                    SamplingParams.greedy(), null, null, 0, 0), 4, "model", 0));
        }
        assertThat(known.size()).isEqualTo(2);
        assertThat(known.resolve(delta("a", 1, 2, 3))).as("the least recently used gave way").isNull();
        assertThat(known.resolve(delta("c", 1, 2, 3))).isNotNull();
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(80).toNanos());
        assertThat(known.resolve(delta("c", 2, 3, 4))).as("idle too long").isNull();
        assertThat(known.size()).isZero();
    }
}
