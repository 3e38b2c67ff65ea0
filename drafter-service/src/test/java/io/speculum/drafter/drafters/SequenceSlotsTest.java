package io.speculum.drafter.drafters;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SequenceSlotsTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aRequestKeepsItsSequenceAndWhatItCached() {
        SequenceSlots slots = new SequenceSlots(2, 10 * SECOND);
        SequenceSlots.Slot first = slots.acquire("a", 0);
        first.cached = new int[] {1, 2, 3};
        assertThat(slots.acquire("a", 1)).isSameAs(first);
        assertThat(first.commonPrefix(new int[] {1, 2, 9, 9})).isEqualTo(2);
        assertThat(first.commonPrefix(new int[] {1, 2})).isEqualTo(2);
        assertThat(slots.acquire("b", 2).sequence).isNotEqualTo(first.sequence);
    }

    @Test
    void theLeastRecentlyUsedRequestGivesWayWhenAllSequencesAreTaken() {
        SequenceSlots slots = new SequenceSlots(2, 10 * SECOND);
        int a = slots.acquire("a", 0).sequence;
        int b = slots.acquire("b", 1).sequence;
        slots.acquire("a", 2); // b is now the least recently used
        SequenceSlots.Slot c = slots.acquire("c", 3);
        assertThat(c.sequence).isEqualTo(b);
        assertThat(c.cached).isEmpty();
        assertThat(slots.acquire("a", 4).sequence).isEqualTo(a);
        assertThat(slots.cachedRequests()).isEqualTo(2);
    }

    @Test
    void aReleasedSequenceIsReusedAndReleasingTwiceFreesNothing() {
        SequenceSlots slots = new SequenceSlots(2, 10 * SECOND);
        int a = slots.acquire("a", 0).sequence;
        slots.acquire("b", 0);
        assertThat(slots.release("a")).isEqualTo(a);
        assertThat(slots.release("a")).isEqualTo(-1);
        assertThat(slots.release("never-seen")).isEqualTo(-1);
        assertThat(slots.acquire("c", 1).sequence).isEqualTo(a);
        assertThat(slots.cachedRequests()).isEqualTo(2);
    }

    @Test
    void idleRequestsExpireAndTheirSequencesComeBack() {
        SequenceSlots slots = new SequenceSlots(3, 5 * SECOND);
        int old = slots.acquire("old", 0).sequence;
        slots.acquire("recent", 4 * SECOND);
        assertThat(slots.expire(6 * SECOND)).containsExactly(old);
        assertThat(slots.cachedRequests()).isEqualTo(1);
        assertThat(slots.expire(6 * SECOND)).isEmpty();
        assertThat(slots.acquire("next", 6 * SECOND).sequence).isNotNegative();
        assertThat(slots.cachedRequests()).isEqualTo(2);
    }

    @Test
    void aBusySequenceIsNeitherEvictedNorSharedNorExpired() {
        SequenceSlots slots = new SequenceSlots(2, SECOND);
        SequenceSlots.Slot a = slots.acquire("a", 0);
        a.busy = true;
        assertThat(slots.acquire("a", 1)).as("its own request waits for it").isNull();
        SequenceSlots.Slot b = slots.acquire("b", 2);
        b.busy = true;
        assertThat(slots.acquire("c", 3)).as("every sequence is busy").isNull();
        assertThat(slots.expire(100 * SECOND)).isEmpty();
        assertThat(slots.isBusy("a")).isTrue();
        a.busy = false;
        assertThat(slots.acquire("c", 101 * SECOND).sequence).as("the idle one gives way").isEqualTo(a.sequence);
    }
}
