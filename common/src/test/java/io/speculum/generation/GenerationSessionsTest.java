package io.speculum.generation;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.llama.LlamaException;
import io.speculum.llama.Model;
import io.speculum.llama.TestModels;
import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.GenerationEvent.FinishReason;
import io.speculum.protocol.ProtocolError;
import io.speculum.protocol.ProtocolError.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle skeleton with a real vocabulary (the sessions' completion trackers) and a service that starts a
 * session for every request and decodes nothing: admission, waiting, hand-over, cancellation, deadlines and shutdown,
 * and exactly one terminal event per request.
 */
class GenerationSessionsTest {

    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(TestModels.model(TestModels.STORIES_260K));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** A session of the test service: its round and stats are what the terminal events must carry. */
    static final class TestSession extends GenerationSession {
        int round;

        TestSession(GenerateRequest request, int slot) {
            super(request, slot, 3, new CompletionTracker(model.vocabulary(), request.stop(), 3, request.maxTokens(), 64));
        }

        @Override
        public int round() {
            return round;
        }

        @Override
        public GenerationEvent.GenerationStats stats() {
            return new GenerationEvent.GenerationStats(round, 0, 0, 0);
        }
    }

    /** Records what the skeleton asked of it; starts every request as a session, or refuses the prompt "refuse me". */
    final class TestService implements GenerationSessions.Service<TestSession> {
        final List<String> starts = new ArrayList<>();
        final List<String> releases = new ArrayList<>();
        int rejected;
        int dropped;

        @Override
        public void start(GenerateRequest request, int slot) {
            starts.add(request.requestId() + "@" + slot);
            if ("refuse me".equals(request.prompt())) {
                sessions.refuse(request, slot, new ProtocolError(ErrorCode.INVALID_REQUEST, "refused"));
                return;
            }
            sessions.add(new TestSession(request, slot));
        }

        @Override
        public void release(TestSession session) {
            assertThat(Thread.holdsLock(session)).as("released holding the session's monitor").isTrue();
            releases.add(session.id() + "@" + session.slot());
        }

        @Override
        public void rejected() {
            rejected++;
        }

        @Override
        public void dropped() {
            dropped++;
        }
    }

    private final List<GenerationEvent> events = new CopyOnWriteArrayList<>();
    private final List<Runnable> handedOver = new ArrayList<>();
    private final TestService service = new TestService();
    /** Two slots, one waiting place; hand-overs run when the test says (as the starter executor would, later). */
    private final GenerationSessions<TestSession> sessions = new GenerationSessions<>("test server",
            new SlotAdmission(2, 1, 100), handedOver::add, (topic, event) -> {
                assertThat(topic).isEqualTo("replies");
                events.add(event);
            }, service);

    private static GenerateRequest request(String id) {
        return new GenerateRequest(id, "replies", null, "Once upon a time", null, 8, null, null, null, 0, 0);
    }

    private void runHandOvers() {
        List<Runnable> pending = List.copyOf(handedOver);
        handedOver.clear();
        pending.forEach(Runnable::run);
    }

    private List<GenerationEvent> eventsOf(String id) {
        return events.stream().filter(e -> e.requestId().equals(id)).toList();
    }

    private void finish(String id, FinishReason reason) {
        TestSession session = sessions.get(id);
        synchronized (session) {
            sessions.finish(session, reason, "");
        }
    }

    @Test
    void requestsStartOnFreeSlotsThenWaitThenAreRefusedAsOverloaded() {
        sessions.onGenerate(request("a"), "stories260K", 16);
        sessions.onGenerate(request("b"), "stories260K", 16);
        sessions.onGenerate(request("c"), "stories260K", 16);
        sessions.onGenerate(request("d"), "stories260K", 16);
        assertThat(service.starts).containsExactly("a@0", "b@1");
        assertThat(sessions.running()).isEqualTo(2);
        assertThat(sessions.waiting()).isEqualTo(1);
        assertThat(eventsOf("d")).containsExactly(new GenerationEvent.Error("d", 0, ErrorCode.OVERLOADED,
                "The test server is serving 2 generations with 1 waiting; retry later"));
        assertThat(service.rejected).isEqualTo(1);
        assertThat(events).hasSize(1);
    }

    @Test
    void anEndedSessionsSlotGoesToTheWaitingRequestThroughTheStarter() {
        sessions.onGenerate(request("a"), "stories260K", 16);
        sessions.onGenerate(request("b"), "stories260K", 16);
        sessions.onGenerate(request("c"), "stories260K", 16);
        sessions.get("b").round = 5;
        finish("b", FinishReason.STOP);
        assertThat(eventsOf("b")).containsExactly(new GenerationEvent.Done("b", 5, FinishReason.STOP, "",
                new GenerationEvent.Usage(3, 0), new GenerationEvent.GenerationStats(5, 0, 0, 0)));
        assertThat(service.releases).containsExactly("b@1");
        assertThat(sessions.get("b")).isNull();
        assertThat(service.starts).as("not on the ending thread").containsExactly("a@0", "b@1");
        runHandOvers();
        assertThat(service.starts).containsExactly("a@0", "b@1", "c@1");
        assertThat(sessions.waiting()).isZero();
        assertThat(sessions.running()).isEqualTo(2);
    }

    @Test
    void aSessionEndsOnceWhateverEndsItAgain() {
        sessions.onGenerate(request("a"), "stories260K", 16);
        TestSession session = sessions.get("a");
        synchronized (session) {
            sessions.fail(session, ErrorCode.INTERNAL, "broken");
            sessions.finish(session, FinishReason.STOP, "");
            sessions.fail(session, ErrorCode.INTERNAL, "again");
        }
        sessions.failDecode(session, new CompletionException(new LlamaException(LlamaException.Code.SATURATED, "full")));
        assertThat(session.ended()).isTrue();
        assertThat(eventsOf("a")).containsExactly(new GenerationEvent.Error("a", 0, ErrorCode.INTERNAL, "broken"));
        assertThat(service.releases).containsExactly("a@0");
        sessions.onGenerate(request("a"), "stories260K", 16);
        assertThat(service.dropped).as("a replay of an ended request").isEqualTo(1);
        assertThat(service.starts).containsExactly("a@0");
    }

    @Test
    void aSaturatedEngineFailsTheSessionAsOverloaded() {
        sessions.onGenerate(request("a"), "stories260K", 16);
        sessions.failDecode(sessions.get("a"), new CompletionException(new LlamaException(LlamaException.Code.SATURATED, "full")));
        assertThat(eventsOf("a")).containsExactly(new GenerationEvent.Error("a", 0, ErrorCode.OVERLOADED,
                "The test server's engine is saturated; retry later"));
    }

    @Test
    void cancellingAWaitingRequestEndsItWithoutStartingIt() {
        sessions.onGenerate(request("a"), "stories260K", 16);
        sessions.onGenerate(request("b"), "stories260K", 16);
        sessions.onGenerate(request("c"), "stories260K", 16);
        sessions.onCancel(new CancelRequest("c", null));
        assertThat(eventsOf("c")).containsExactly(GenerationEvent.Done.cancelledWhileWaiting("c"));
        finish("a", FinishReason.STOP);
        runHandOvers();
        assertThat(service.starts).as("c never starts").containsExactly("a@0", "b@1");
        sessions.onGenerate(request("c"), "stories260K", 16);
        assertThat(service.starts).as("nor does its replay").containsExactly("a@0", "b@1");
    }

    @Test
    void cancellingARunningSessionFinishesItAsCancelledAndCancellingNothingIsDropped() {
        sessions.onGenerate(request("a"), "stories260K", 16);
        sessions.onCancel(new CancelRequest("a", null));
        assertThat(eventsOf("a")).singleElement().satisfies(e ->
                assertThat(((GenerationEvent.Done) e).finishReason()).isEqualTo(FinishReason.CANCELLED));
        assertThat(service.releases).containsExactly("a@0");
        sessions.onCancel(new CancelRequest("a", null));
        sessions.onCancel(new CancelRequest("never", null));
        assertThat(service.dropped).isEqualTo(2);
        assertThat(events).hasSize(1);
    }

    @Test
    void invalidRequestsAreRefusedBeforeTakingASlotAndRequestsWithoutIdOrReplyTopicAreDropped() {
        sessions.onGenerate(request("a").withMaxTokens(100), "stories260K", 16);
        sessions.onGenerate(new GenerateRequest("b", "replies", "other", "hi", null, 8, null, null, null, 0, 0), "stories260K", 16);
        sessions.onGenerate(new GenerateRequest(" ", "replies", null, "hi", null, 8, null, null, null, 0, 0), "stories260K", 16);
        sessions.onGenerate(new GenerateRequest("c", null, null, "hi", null, 8, null, null, null, 0, 0), "stories260K", 16);
        assertThat(eventsOf("a")).singleElement().satisfies(e ->
                assertThat(((GenerationEvent.Error) e).code()).isEqualTo(ErrorCode.INVALID_REQUEST));
        assertThat(eventsOf("b")).singleElement().satisfies(e ->
                assertThat(((GenerationEvent.Error) e).code()).isEqualTo(ErrorCode.UNKNOWN_MODEL));
        assertThat(events).hasSize(2);
        assertThat(service.starts).isEmpty();
        assertThat(service.rejected).isEqualTo(2);
        assertThat(service.dropped).isEqualTo(2);
        sessions.onGenerate(request("a"), "stories260K", 16);
        assertThat(service.starts).as("a refused id is a duplicate").isEmpty();
    }

    @Test
    void aRefusedStartPassesItsSlotOn() {
        sessions.onGenerate(request("a"), "stories260K", 16);
        sessions.onGenerate(request("b"), "stories260K", 16);
        GenerateRequest refused = new GenerateRequest("r", "replies", null, "refuse me", null, 8, null, null, null, 0, 0);
        sessions.onGenerate(refused, "stories260K", 16);
        finish("a", FinishReason.STOP);
        runHandOvers();
        assertThat(eventsOf("r")).containsExactly(new GenerationEvent.Error("r", 0, ErrorCode.INVALID_REQUEST, "refused"));
        sessions.onGenerate(request("d"), "stories260K", 16);
        assertThat(service.starts).as("r's slot went back to the free ones").containsExactly("a@0", "b@1", "r@0", "d@0");
    }

    @Test
    void aRequestWhoseDeadlinePassedWhileItWaitedIsRefusedAndItsSlotPassesOn() {
        sessions.onGenerate(request("a"), "stories260K", 16);
        sessions.onGenerate(request("b"), "stories260K", 16);
        long soon = System.currentTimeMillis() + 50;
        sessions.onGenerate(new GenerateRequest("late", "replies", null, "hi", null, 8, null, null, null, 0, soon), "stories260K", 16);
        while (System.currentTimeMillis() <= soon) {
            Thread.onSpinWait();
        }
        finish("a", FinishReason.STOP);
        runHandOvers();
        assertThat(eventsOf("late")).containsExactly(new GenerationEvent.Error("late", 0, ErrorCode.DEADLINE_EXCEEDED,
                "The request's deadline passed while it waited for capacity"));
        assertThat(service.starts).containsExactly("a@0", "b@1");
        sessions.onGenerate(request("d"), "stories260K", 16);
        assertThat(service.starts).containsExactly("a@0", "b@1", "d@0");
    }

    @Test
    void aSessionPastItsDeadlineFailsAndOneWithinItGoesOn() {
        long soon = System.currentTimeMillis() + 50;
        sessions.onGenerate(new GenerateRequest("late", "replies", null, "hi", null, 8, null, null, null, 0, soon), "stories260K", 16);
        sessions.onGenerate(request("free"), "stories260K", 16);
        TestSession late = sessions.get("late");
        TestSession free = sessions.get("free");
        synchronized (late) {
            assertThat(sessions.pastDeadline(late)).isFalse();
        }
        while (System.currentTimeMillis() <= soon) {
            Thread.onSpinWait();
        }
        synchronized (late) {
            assertThat(sessions.pastDeadline(late)).isTrue();
        }
        synchronized (free) {
            assertThat(sessions.pastDeadline(free)).as("no deadline").isFalse();
        }
        assertThat(eventsOf("late")).containsExactly(new GenerationEvent.Error("late", 0, ErrorCode.DEADLINE_EXCEEDED,
                "The request's deadline passed after 0 tokens"));
        assertThat(eventsOf("free")).isEmpty();
    }

    @Test
    void closingEndsWaitingRequestsAndRunningSessionsWithAnError() {
        sessions.onGenerate(request("a"), "stories260K", 16);
        sessions.onGenerate(request("b"), "stories260K", 16);
        sessions.onGenerate(request("c"), "stories260K", 16);
        sessions.close();
        runHandOvers();
        for (String id : List.of("a", "b", "c")) {
            assertThat(eventsOf(id)).as(id).containsExactly(new GenerationEvent.Error(id, 0, ErrorCode.INTERNAL,
                    "The test server is shutting down"));
        }
        assertThat(service.starts).as("the drained request never starts").containsExactly("a@0", "b@1");
        assertThat(service.releases).containsExactlyInAnyOrder("a@0", "b@1");
        assertThat(sessions.running()).isZero();
    }

    @Test
    void aSessionCountsTheTextItSent() {
        TestSession session = new TestSession(request("a"), 0);
        assertThat(session.send("héllo")).isZero();
        assertThat(session.send("😀!")).as("code points, not chars").isEqualTo(5);
        assertThat(session.send("")).isEqualTo(7);
        assertThat(session.id()).isEqualTo("a");
        assertThat(session.promptLength()).isEqualTo(3);
    }
}
