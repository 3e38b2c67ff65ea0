package io.speculum.gateway.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent.FinishReason;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolError.ErrorCode;
import io.speculum.protocol.ResumePoint;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One request's events as the reply listener hands them over: at-least-once delivery made exactly-once, by position. */
class PendingGenerationTest {

    private static final GenerateRequest REQUEST = new GenerateRequest("r1", "replies", null, "Once", null, 16, null, null, null, 0, 0);

    /** A round event at completion {@code position} whose text starts {@code textOffset} code points in. */
    private static GenerationEvent.Round round(int n, int position, int textOffset, int[] tokens, String text) {
        return new GenerationEvent.Round("r1", n, tokens, text, null, null, null, null, position, textOffset);
    }

    private static GenerationEvent.Done done(int n) {
        return new GenerationEvent.Done("r1", n, FinishReason.STOP, "", new GenerationEvent.Usage(3, n + 1),
                new GenerationEvent.GenerationStats(n, 0, 0, 1));
    }

    private static String text(List<GenerationEvent> events) {
        StringBuilder text = new StringBuilder();
        events.forEach(e -> text.append(e instanceof GenerationEvent.Round r ? r.text() : ""));
        return text.toString();
    }

    @Test
    void dropsRedeliveredRoundsAndEverythingAfterTheTerminalEvent() {
        PendingGeneration generation = new PendingGeneration(REQUEST);

        assertThat(generation.accept(round(0, 0, 0, new int[] {7}, "Once"))).isFalse();
        assertThat(generation.accept(round(0, 0, 0, new int[] {7}, "Once"))).isFalse();
        assertThat(generation.accept(round(1, 1, 4, new int[] {8}, " upon"))).isFalse();
        assertThat(generation.accept(round(1, 1, 4, new int[] {8}, " upon"))).isFalse();
        assertThat(generation.accept(done(1))).isTrue();
        assertThat(generation.accept(round(2, 2, 9, new int[] {9}, " late"))).isTrue();
        assertThat(generation.accept(done(1))).isTrue();

        assertThat(generation.first().block(Duration.ofSeconds(1))).usingRecursiveComparison().isEqualTo(round(0, 0, 0, new int[] {7}, "Once"));
        List<GenerationEvent> rest = generation.rest().collectList().block(Duration.ofSeconds(1));
        assertThat(rest).hasSize(2);
        assertThat(((GenerationEvent.Round) rest.getFirst()).text()).isEqualTo(" upon");
        assertThat(rest.get(1)).isInstanceOf(GenerationEvent.Done.class);
        assertThat(generation.ended()).isTrue();
    }

    @Test
    void aSecondVerifierReplayingFromTheStartWithOtherRoundsAddsOnlyThePositionsNotForwardedYet() {
        PendingGeneration generation = new PendingGeneration(REQUEST);
        // the first verifier: positions 0-2 in two rounds
        generation.accept(round(0, 0, 0, new int[] {10}, "Once"));
        generation.accept(round(1, 1, 4, new int[] {11, 12}, " upon a"));
        // a second verifier replays from the start in other rounds: 0-1, then 2-4 (overlapping), then 5
        assertThat(generation.accept(round(0, 0, 0, new int[] {10, 11}, "Once upon"))).isFalse();
        assertThat(generation.accept(round(1, 2, 9, new int[] {12, 13, 14}, " a time,"))).isFalse();
        assertThat(generation.accept(round(2, 5, 17, new int[] {15}, " thé"))).isFalse();
        // the first verifier's late duplicate
        assertThat(generation.accept(round(1, 1, 4, new int[] {11, 12}, " upon a"))).isFalse();
        assertThat(generation.accept(done(3))).isTrue();

        List<GenerationEvent> rest = generation.rest().collectList().block(Duration.ofSeconds(1));
        assertThat("Once" + text(rest)).isEqualTo("Once upon a time, thé");
        GenerationEvent.Round cut = (GenerationEvent.Round) rest.get(1);
        assertThat(cut.position()).isEqualTo(3);
        assertThat(cut.tokens()).containsExactly(13, 14);
        assertThat(cut.text()).isEqualTo(" time,");
    }

    @Test
    void anEventWithoutTokensCarryingHeldBackTextIsForwardedOnce() {
        PendingGeneration generation = new PendingGeneration(REQUEST);
        generation.accept(round(0, 0, 0, new int[] {10}, "Once"));
        // the end-of-generation round: no token counts, the text held back (a possible stop string) is released
        assertThat(generation.accept(round(1, 1, 4, new int[0], " up"))).isFalse();
        assertThat(generation.accept(round(1, 1, 4, new int[0], " up"))).isFalse();
        assertThat(generation.accept(done(1))).isTrue();

        assertThat(text(generation.rest().collectList().block(Duration.ofSeconds(1)))).isEqualTo(" up");
    }

    @Test
    void theResumePointIsWhatWasForwardedAndTheRoundAfterTheLastHeardOf() {
        PendingGeneration generation = new PendingGeneration(REQUEST);
        assertThat(generation.resumePoint()).isEqualTo(new ResumePoint(0, new int[0]));

        generation.accept(round(0, 0, 0, new int[] {10}, "Once"));
        generation.accept(round(4, 1, 4, new int[] {11, 12}, " upon a"));
        generation.accept(round(2, 0, 0, new int[] {10}, "Once")); // a replay: older round, nothing new

        assertThat(generation.resumePoint()).isEqualTo(new ResumePoint(5, new int[] {10, 11, 12}));
        assertThat(generation.silentNanos(System.nanoTime())).isLessThan(Duration.ofSeconds(1).toNanos());
    }

    @Test
    void anOverloadedRefusalOfACopySentAgainDoesNotEndAStreamThatStarted() {
        PendingGeneration generation = new PendingGeneration(REQUEST);
        GenerationEvent.Error busy = new GenerationEvent.Error("r1", 0, ErrorCode.OVERLOADED, "busy");
        generation.accept(round(0, 0, 0, new int[] {10}, "Once"));
        generation.resumePoint();

        assertThat(generation.accept(busy)).isFalse();
        assertThat(generation.accept(round(1, 1, 4, new int[] {11}, " upon"))).isFalse();
        assertThat(generation.accept(new GenerationEvent.Error("r1", 2, ErrorCode.DEADLINE_EXCEEDED, "late"))).isTrue();
    }

    @Test
    void aTerminalFirstEventLeavesNothingToStream() {
        PendingGeneration generation = new PendingGeneration(REQUEST);
        GenerationEvent.Error error = new GenerationEvent.Error("r1", 0, ErrorCode.OVERLOADED, "busy");

        assertThat(generation.accept(error)).isTrue();

        assertThat(generation.first().block(Duration.ofSeconds(1))).isEqualTo(error);
        assertThat(generation.rest().collectList().block(Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void aFailedSendFailsTheWaitForTheFirstEvent() {
        PendingGeneration generation = new PendingGeneration(REQUEST);
        generation.fail(new BackendUnavailableException("broker gone"));

        assertThat(generation.first().onErrorResume(e -> reactor.core.publisher.Mono.just(round(9, 0, 0, new int[0], e.getMessage())))
                .block(Duration.ofSeconds(1))).usingRecursiveComparison().isEqualTo(round(9, 0, 0, new int[0], "broker gone"));
        assertThat(generation.accept(round(0, 0, 0, new int[] {1}, "too late"))).isTrue();
    }
}
