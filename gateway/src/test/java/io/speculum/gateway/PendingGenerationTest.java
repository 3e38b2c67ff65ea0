package io.speculum.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.GenerationEvent.FinishReason;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One request's events as the reply listener hands them over: at-least-once delivery made exactly-once. */
class PendingGenerationTest {

    private static GenerationEvent.Round round(int n, String text) {
        return new GenerationEvent.Round("r1", n, new int[] {n}, text, null);
    }

    private static GenerationEvent.Done done(int n) {
        return new GenerationEvent.Done("r1", n, FinishReason.STOP, "", new GenerationEvent.Usage(3, n + 1),
                new GenerationEvent.GenerationStats(n, 0, 0, 1));
    }

    @Test
    void dropsRedeliveredRoundsAndEverythingAfterTheTerminalEvent() {
        PendingGeneration generation = new PendingGeneration("r1");

        assertThat(generation.accept(round(0, "Once"))).isFalse();
        assertThat(generation.accept(round(0, "Once"))).isFalse();
        assertThat(generation.accept(round(1, " upon"))).isFalse();
        assertThat(generation.accept(round(1, " upon"))).isFalse();
        assertThat(generation.accept(done(1))).isTrue();
        assertThat(generation.accept(round(2, " late"))).isTrue();
        assertThat(generation.accept(done(1))).isTrue();

        assertThat(generation.first().block(Duration.ofSeconds(1))).usingRecursiveComparison().isEqualTo(round(0, "Once"));
        List<GenerationEvent> rest = generation.rest().collectList().block(Duration.ofSeconds(1));
        assertThat(rest).hasSize(2);
        assertThat(((GenerationEvent.Round) rest.getFirst()).text()).isEqualTo(" upon");
        assertThat(rest.get(1)).isInstanceOf(GenerationEvent.Done.class);
        assertThat(generation.ended()).isTrue();
    }

    @Test
    void aTerminalFirstEventLeavesNothingToStream() {
        PendingGeneration generation = new PendingGeneration("r1");
        GenerationEvent.Error error = new GenerationEvent.Error("r1", 0, io.speculum.protocol.ProtocolError.ErrorCode.OVERLOADED, "busy");

        assertThat(generation.accept(error)).isTrue();

        assertThat(generation.first().block(Duration.ofSeconds(1))).isEqualTo(error);
        assertThat(generation.rest().collectList().block(Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void aFailedSendFailsTheWaitForTheFirstEvent() {
        PendingGeneration generation = new PendingGeneration("r1");
        generation.fail(new BackendUnavailableException("broker gone"));

        assertThat(generation.first().onErrorResume(e -> reactor.core.publisher.Mono.just(round(9, e.getMessage())))
                .block(Duration.ofSeconds(1))).usingRecursiveComparison().isEqualTo(round(9, "broker gone"));
        assertThat(generation.accept(round(0, "too late"))).isTrue();
    }
}
