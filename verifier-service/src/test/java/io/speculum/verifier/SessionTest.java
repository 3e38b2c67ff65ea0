package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.generation.CompletionTracker;
import io.speculum.llama.Model;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.GenerationState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A verifier session's own state changes: its counts, the back-off from silent drafters, what drafters know. */
class SessionTest {

    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(VerifierFixture.SHARED.resolve("models/stories260K.gguf"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Session session(int firstRound) {
        GenerateRequest request = new GenerateRequest("r", "replies", null, "Once", null, 32, null, null, null, 0, 0);
        int[] prompt = model.vocabulary().tokenize("Once upon a time", true, false);
        GenerationState state = new GenerationState("r", firstRound, "replies", "m", "v", prompt.length, prompt, 32,
                SamplingParams.greedy(), null, null, 0, 0);
        return new Session(request, 0, state, new CompletionTracker(model.vocabulary(), List.of(), prompt.length, 32, 512),
                new AutoSpeculation(VerifierFixture.FIXED_COST, new DrafterPriors()), new SuccessorCapture(0, 8),
                DraftTextHint.NONE);
    }

    @Test
    void thePrefillIsNotAVerificationRoundAndTauCountsTheTargetsOwnToken() {
        Session session = session(4);
        assertThat(session.stats()).isEqualTo(new GenerationEvent.GenerationStats(0, 0, 0, 0));
        assertThat(session.isPrefill()).isTrue();
        session.commit(new int[] {100}, 0, 0);
        assertThat(session.isPrefill()).isFalse();
        assertThat(session.round()).isEqualTo(5);
        session.commit(new int[] {101, 102, 103}, 4, 2);
        session.commit(new int[] {104}, 4, 0);
        assertThat(session.round()).isEqualTo(7);
        assertThat(session.nextPosition()).isEqualTo(session.promptLength() + 5);
        assertThat(session.lastToken()).isEqualTo(104);
        assertThat(session.stats()).isEqualTo(new GenerationEvent.GenerationStats(2, 8, 2, 2.0));
    }

    @Test
    void eachTimeoutInARowDoublesTheRoundsDecodedAloneUpToSixtyThree() {
        Session session = session(0);
        List<Integer> alone = new ArrayList<>();
        for (int timeout = 0; timeout < 8; timeout++) {
            session.draftTimedOut();
            int rounds = 0;
            while (session.backingOff()) {
                rounds++;
            }
            alone.add(rounds);
        }
        assertThat(alone).containsExactly(1, 3, 7, 15, 31, 63, 63, 63);
        session.drafterAnswered();
        session.draftTimedOut();
        assertThat(session.backingOff()).isTrue();
        assertThat(session.backingOff()).as("an answer starts the back-off over").isFalse();
    }

    @Test
    void anArrivedOrTimedOutDraftIsNoLongerAwaited() {
        Session session = session(0);
        assertThat(session.awaitingDraft()).isFalse();
        session.awaitDraft(System.nanoTime(), null);
        assertThat(session.awaitingDraft()).isTrue();
        assertThat(session.draftArrived()).isGreaterThanOrEqualTo(0);
        assertThat(session.awaitingDraft()).isFalse();
        session.awaitDraft(System.nanoTime(), null);
        session.draftTimedOut();
        assertThat(session.awaitingDraft()).isFalse();
    }

    @Test
    void draftersAreSentWhatFollowsWhatTheyKnowUntilOneForgets() {
        Session session = session(0);
        assertThat(session.drafterLearns(5)).as("nothing yet").isZero();
        assertThat(session.drafterLearns(9)).isEqualTo(5);
        session.drafterForgot();
        assertThat(session.drafterLearns(10)).isZero();
        assertThat(session.askedDrafters()).isFalse();
        session.askDrafters();
        assertThat(session.askedDrafters()).isTrue();
    }
}
