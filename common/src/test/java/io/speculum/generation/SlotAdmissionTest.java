package io.speculum.generation;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.protocol.GenerateRequest;
import org.junit.jupiter.api.Test;

class SlotAdmissionTest {

    private static GenerateRequest request(String id) {
        return new GenerateRequest(id, "replies", null, "hi", null, 8, null, null, null, 0, 0);
    }

    @Test
    void requestsStartWhileSlotsAreFreeThenWaitThenAreRefused() {
        SlotAdmission admission = new SlotAdmission(2, 1, 100);
        assertThat(admission.admit(request("a"))).isEqualTo(new SlotAdmission.Start(0));
        assertThat(admission.admit(request("b"))).isEqualTo(new SlotAdmission.Start(1));
        assertThat(admission.admit(request("c"))).isEqualTo(new SlotAdmission.Queued(1));
        assertThat(admission.admit(request("d"))).isEqualTo(new SlotAdmission.Overloaded(2, 1));
        assertThat(new SlotAdmission.Overloaded(2, 1).message("verifier"))
                .isEqualTo("The verifier is serving 2 generations with 1 waiting; retry later");
        assertThat(admission.running()).isEqualTo(2);
        assertThat(admission.waiting()).isEqualTo(1);
    }

    @Test
    void aFreedSlotGoesToTheFirstWaitingRequestInOrder() {
        SlotAdmission admission = new SlotAdmission(1, 2, 100);
        admission.admit(request("a"));
        admission.admit(request("b"));
        admission.admit(request("c"));
        SlotAdmission.Handover next = admission.release("a", 0);
        assertThat(next.request().requestId()).isEqualTo("b");
        assertThat(next.slot()).isZero();
        assertThat(admission.release("b", 0).request().requestId()).isEqualTo("c");
        assertThat(admission.release("c", 0)).isNull();
        assertThat(admission.admit(request("e"))).isEqualTo(new SlotAdmission.Start(0));
    }

    @Test
    void runningWaitingFinishedAndRefusedIdsAreDuplicates() {
        SlotAdmission admission = new SlotAdmission(1, 1, 100);
        admission.admit(request("a"));
        admission.admit(request("b"));
        admission.admit(request("over"));
        admission.refused("invalid");
        for (String id : new String[] {"a", "b", "over", "invalid"}) {
            assertThat(admission.admit(request(id))).as(id).isEqualTo(new SlotAdmission.Duplicate());
        }
        admission.release("a", 0);
        assertThat(admission.admit(request("a"))).as("finished").isEqualTo(new SlotAdmission.Duplicate());
    }

    @Test
    void theMemoryOfFinishedIdsIsBounded() {
        SlotAdmission admission = new SlotAdmission(1, 0, 2);
        for (String id : new String[] {"a", "b", "c"}) {
            admission.admit(request(id));
            admission.release(id, 0);
        }
        assertThat(admission.admit(request("a"))).as("forgotten").isEqualTo(new SlotAdmission.Start(0));
        admission.release("a", 0);
        assertThat(admission.admit(request("c"))).isEqualTo(new SlotAdmission.Duplicate());
    }

    @Test
    void waitingRequestsCanBeCancelledOrDrained() {
        SlotAdmission admission = new SlotAdmission(1, 3, 100);
        admission.admit(request("a"));
        admission.admit(request("b"));
        admission.admit(request("c"));
        assertThat(admission.cancelWaiting("b").requestId()).isEqualTo("b");
        assertThat(admission.cancelWaiting("b")).isNull();
        assertThat(admission.cancelWaiting("a")).as("running, not waiting").isNull();
        assertThat(admission.drainWaiting()).extracting(GenerateRequest::requestId).containsExactly("c");
        assertThat(admission.waiting()).isZero();
        assertThat(admission.admit(request("c"))).isEqualTo(new SlotAdmission.Duplicate());
    }
}
