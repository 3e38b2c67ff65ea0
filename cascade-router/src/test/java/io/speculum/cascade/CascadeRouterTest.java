package io.speculum.cascade;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.CascadeReply;
import io.speculum.protocol.CascadeRequest;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.GenerationEvent.FinishReason;
import io.speculum.protocol.GenerationEvent.TokenConfidence;
import io.speculum.protocol.ProtocolError.ErrorCode;
import io.speculum.protocol.SpeculationPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The router's decisions and endings without Kafka: it is driven with the protocol events the small and large
 * services send (the services themselves run in {@link CascadeOverKafkaTest}).
 */
class CascadeRouterTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final RecordingCascadeOutput output = new RecordingCascadeOutput();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private CascadeRouter router(CascadeProperties.LargeFailure onFailure, Duration smallTimeout, Duration largeTimeout, int maxPending) {
        return new RouterFixture().largeSpeculation(SpeculationPolicy.Mode.OFF).tokenThreshold(3.0).onLargeFailure(onFailure)
                .timeouts(smallTimeout, largeTimeout).maxPending(maxPending).router(output, registry, timer);
    }

    private static CascadeRequest request(String id) {
        return new CascadeRequest(id, "client", "Once upon a time,", 8, null, null, null, 0, 0);
    }

    /** The small model's answer: one round per token with the given log-probabilities, then done. */
    private static void smallAnswers(CascadeRouter router, String id, String[] words, double[] logProbs) {
        for (int i = 0; i < words.length; i++) {
            router.onEvent(new GenerationEvent.Round(id + ":small", i, new int[] {i}, words[i], null,
                    List.of(new TokenConfidence(i, logProbs[i], 1, 1))));
        }
        router.onEvent(new GenerationEvent.Done(id + ":small", words.length, FinishReason.LENGTH, "",
                new GenerationEvent.Usage(5, words.length), new GenerationEvent.GenerationStats(0, 0, 0, 0)));
    }

    @Test
    void aConfidentAnswerIsReturnedAndAnUnsureOneDeferredWithItAsDraft() {
        CascadeRouter router = router(CascadeProperties.LargeFailure.ERROR, Duration.ofSeconds(5), Duration.ofSeconds(5), 8);
        router.onRequest(request("sure"));
        GenerateRequest small = (GenerateRequest) output.small.getFirst();
        assertThat(small.requestId()).isEqualTo("sure:small");
        assertThat(small.prompt()).as("the small prompt suffix").isEqualTo("Once upon a time, ");
        assertThat(small.model()).isEqualTo("small");
        assertThat(small.replyTopic()).isEqualTo("router-replies");
        smallAnswers(router, "sure", new String[] {"there ", "was"}, new double[] {-0.5, -0.7});
        assertThat(output.replies).singleElement().isInstanceOfSatisfying(CascadeReply.Answer.class, a -> {
            assertThat(a.answeredBy()).isEqualTo(CascadeReply.Model.SMALL);
            assertThat(a.text()).isEqualTo("there was");
            assertThat(a.score()).isEqualTo(0.6);
            assertThat(a.costs().smallCompletionTokens()).isEqualTo(2);
        });
        assertThat(output.large).isEmpty();

        router.onRequest(request("unsure"));
        smallAnswers(router, "unsure", new String[] {"a ", "cat"}, new double[] {-2, -1});
        GenerateRequest large = (GenerateRequest) output.large.getFirst();
        assertThat(large.requestId()).isEqualTo("unsure:large");
        assertThat(large.prompt()).isEqualTo("Once upon a time,");
        assertThat(large.draftText()).as("continues the prompt as the small model saw it").isEqualTo(" a cat");
        assertThat(large.speculation().maxDraftTokens()).isEqualTo(4);
        router.onEvent(new GenerationEvent.Round("unsure:large", 0, new int[] {7}, " a", null));
        router.onEvent(new GenerationEvent.Round("unsure:large", 0, new int[] {7}, " a", null)); // delivered twice
        router.onEvent(new GenerationEvent.Round("unsure:large", 1, new int[] {8, 9}, " dog ran", null));
        router.onEvent(new GenerationEvent.Done("unsure:large", 1, FinishReason.LENGTH, "", new GenerationEvent.Usage(6, 3),
                new GenerationEvent.GenerationStats(1, 4, 1, 2)));
        assertThat(output.replies.get(1)).isInstanceOfSatisfying(CascadeReply.Answer.class, a -> {
            assertThat(a.answeredBy()).isEqualTo(CascadeReply.Model.LARGE);
            assertThat(a.text()).isEqualTo(" a dog ran");
            assertThat(a.score()).isEqualTo(1.5);
            assertThat(a.costs().largeVerificationRounds()).isEqualTo(1);
            assertThat(a.costs().largeDraftTokensAccepted()).isEqualTo(1);
        });
        assertThat(router.pendingRequests()).isZero();
        assertThat(registry.get("speculum.cascade.deferral_rate").gauge().value()).isEqualTo(0.5);
    }

    @Test
    void aSilentSmallModelEndsTheRequestWithinItsTimeLimitAndIsCancelled() {
        CascadeRouter router = router(CascadeProperties.LargeFailure.ERROR, Duration.ofMillis(200), Duration.ofSeconds(5), 8);
        router.onRequest(request("silent"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !output.replies.isEmpty());
        assertThat(output.replies).singleElement().isInstanceOfSatisfying(CascadeReply.Error.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED));
        assertThat(output.small.getLast()).isInstanceOf(CancelRequest.class);
        // a late answer changes nothing
        smallAnswers(router, "silent", new String[] {"x"}, new double[] {-1});
        assertThat(output.replies).hasSize(1);
    }

    @Test
    void aFailingLargeModelGivesTheConfiguredOutcome() {
        CascadeRouter errors = router(CascadeProperties.LargeFailure.ERROR, Duration.ofSeconds(5), Duration.ofSeconds(5), 8);
        errors.onRequest(request("e"));
        smallAnswers(errors, "e", new String[] {"a"}, new double[] {-3});
        errors.onEvent(new GenerationEvent.Error("e:large", 0, ErrorCode.OVERLOADED, "busy"));
        assertThat(output.replies.getLast()).isInstanceOfSatisfying(CascadeReply.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
            assertThat(e.message()).isEqualTo("large model: busy");
        });

        CascadeRouter falls = router(CascadeProperties.LargeFailure.SMALL_ANSWER, Duration.ofSeconds(5), Duration.ofMillis(200), 8);
        falls.onRequest(request("f"));
        smallAnswers(falls, "f", new String[] {"a"}, new double[] {-3});
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> output.replies.size() == 2);
        assertThat(output.replies.getLast()).isInstanceOfSatisfying(CascadeReply.Answer.class, a -> {
            assertThat(a.answeredBy()).isEqualTo(CascadeReply.Model.SMALL);
            assertThat(a.deferred()).isTrue();
            assertThat(a.undeferred()).contains("did not answer within 200 ms");
            assertThat(a.text()).isEqualTo("a");
        });
        assertThat(output.large.getLast()).as("the large generation is cancelled").isInstanceOf(CancelRequest.class);
    }

    @Test
    void badRequestsDuplicatesAndOverloadAreAnsweredClearly() {
        CascadeRouter router = router(CascadeProperties.LargeFailure.ERROR, Duration.ofSeconds(5), Duration.ofSeconds(5), 1);
        router.onRequest(new CascadeRequest("bad", "client", "Hi", 0, null, null, null, 0, 0));
        router.onRequest(new CascadeRequest("late", "client", "Hi", 4, null, null, null, 0, 1));
        assertThat(output.replies).extracting(r -> ((CascadeReply.Error) r).code()).containsExactly(ErrorCode.INVALID_REQUEST,
                ErrorCode.DEADLINE_EXCEEDED);
        router.onRequest(request("one"));
        router.onRequest(request("one")); // at-least-once delivery, at max-pending: dropped, not answered OVERLOADED
        router.onRequest(new CascadeRequest("one", "client", "Hi", 4, null, null, null, 0, 0,
                io.speculum.protocol.CascadeRouting.TOKEN, null)); // the same id in the other routing mode
        assertThat(output.small).hasSize(1);
        assertThat(output.replies).hasSize(2);
        router.onRequest(request("two"));
        assertThat(output.replies.getLast()).isInstanceOfSatisfying(CascadeReply.Error.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
        router.close();
        assertThat(output.replies.getLast()).isInstanceOfSatisfying(CascadeReply.Error.class, e -> {
            assertThat(e.requestId()).isEqualTo("one");
            assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
        });
    }

    @Test
    void aCancelStopsTheGenerationItWaitsForAndEndsTheRequestWithOneCancelledReply() {
        CascadeRouter router = router(CascadeProperties.LargeFailure.SMALL_ANSWER, Duration.ofSeconds(5), Duration.ofSeconds(5), 8);
        router.onRequest(request("during-small"));
        router.onEvent(new GenerationEvent.Round("during-small:small", 0, new int[] {0}, "a ", null,
                List.of(new TokenConfidence(0, -3, 1, 1))));
        router.onCancel(new CancelRequest("during-small", "client disconnected"));
        assertThat(output.small.getLast()).isInstanceOfSatisfying(CancelRequest.class,
                c -> assertThat(c.requestId()).isEqualTo("during-small:small"));
        assertThat(output.replies).singleElement().isInstanceOfSatisfying(CascadeReply.Error.class, e -> {
            assertThat(e.requestId()).isEqualTo("during-small");
            assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED);
            assertThat(e.message()).contains("client disconnected");
        });
        // the small model's late answer neither defers nor replies
        smallAnswers(router, "during-small", new String[] {"a ", "cat"}, new double[] {-3, -3});
        assertThat(output.large).isEmpty();
        assertThat(output.replies).hasSize(1);

        router.onRequest(request("during-large"));
        smallAnswers(router, "during-large", new String[] {"a ", "cat"}, new double[] {-3, -3});
        assertThat(output.large).singleElement().isInstanceOf(GenerateRequest.class);
        router.onCancel(new CancelRequest("during-large", "the gateway's time limit passed"));
        assertThat(output.large.getLast()).isInstanceOfSatisfying(CancelRequest.class,
                c -> assertThat(c.requestId()).isEqualTo("during-large:large"));
        assertThat(output.replies.getLast()).as("cancelled, not answered by the small model as after a large failure")
                .isInstanceOfSatisfying(CascadeReply.Error.class, e -> {
                    assertThat(e.requestId()).isEqualTo("during-large");
                    assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED);
                    assertThat(e.message()).contains("the gateway's time limit passed");
                });
        router.onEvent(new GenerationEvent.Done("during-large:large", 1, FinishReason.CANCELLED, "", new GenerationEvent.Usage(6, 1),
                new GenerationEvent.GenerationStats(1, 0, 0, 0)));
        assertThat(output.replies).hasSize(2);
        assertThat(router.pendingRequests()).isZero();

        // a cancel for a finished or unknown request, or a second one, sends nothing
        int small = output.small.size();
        int large = output.large.size();
        router.onCancel(new CancelRequest("during-large", "again"));
        router.onCancel(new CancelRequest("never-seen", null));
        assertThat(output.small).hasSize(small);
        assertThat(output.large).hasSize(large);
        assertThat(output.replies).hasSize(2);
        assertThat(registry.get("speculum.cascade.requests").tag("outcome", "cancelled").counter().count()).isEqualTo(2);
        assertThat(registry.find("speculum.cascade.requests").tag("outcome", "error").counter()).isNull();
    }

    @Test
    void aCancelledRequestNoLongerTimesOut() throws InterruptedException {
        CascadeRouter router = router(CascadeProperties.LargeFailure.ERROR, Duration.ofMillis(200), Duration.ofSeconds(5), 8);
        router.onRequest(request("c"));
        router.onCancel(new CancelRequest("c", "client disconnected"));
        Thread.sleep(600); // past the small model's time limit
        assertThat(output.replies).singleElement().isInstanceOfSatisfying(CascadeReply.Error.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
        assertThat(output.small).hasSize(2); // the request and one cancel
    }
}
