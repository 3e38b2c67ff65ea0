package io.speculum.cascade;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.CascadeReply;
import io.speculum.protocol.CascadeRequest;
import io.speculum.protocol.CascadeRouting;
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
 * Token-level routing's state machine without Kafka, driven through the router with the protocol events the small
 * and large services send (the services themselves run in {@link CascadeOverKafkaTest}). Token threshold 2 nats.
 */
class TokenRouterTest {

    private static final String PROMPT = "Once upon a time,";

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final RecordingCascadeOutput output = new RecordingCascadeOutput();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private CascadeRouter router(CascadeProperties.LargeFailure onFailure, Duration smallTimeout, Duration largeTimeout, int maxHandoffs) {
        return router(output, onFailure, smallTimeout, largeTimeout, maxHandoffs);
    }

    private CascadeRouter router(CascadeOutput to, CascadeProperties.LargeFailure onFailure, Duration smallTimeout,
                                 Duration largeTimeout, int maxHandoffs) {
        return new RouterFixture().largeSpeculation(SpeculationPolicy.Mode.AUTO).tokenThreshold(2.0).onLargeFailure(onFailure)
                .timeouts(smallTimeout, largeTimeout).maxHandoffs(maxHandoffs).router(to, registry, timer);
    }

    private CascadeRouter router() {
        return router(CascadeProperties.LargeFailure.ERROR, Duration.ofSeconds(5), Duration.ofSeconds(5), 64);
    }

    private static CascadeRequest request(String id, int maxTokens, Double tokenThreshold, String... stop) {
        return new CascadeRequest(id, "client", PROMPT, maxTokens, null, List.of(stop), null, 0, 0, CascadeRouting.TOKEN, tokenThreshold);
    }

    /** One small-model round of one token with the given log-probability. */
    private static GenerationEvent.Round smallToken(String segment, int round, String text, double logProb) {
        return new GenerationEvent.Round(segment, round, new int[] {round}, text, null, List.of(new TokenConfidence(round, logProb, 1, 1)));
    }

    private static GenerationEvent.Done done(String segment, FinishReason reason, int promptTokens, int tokens) {
        return new GenerationEvent.Done(segment, tokens, reason, "", new GenerationEvent.Usage(promptTokens, tokens),
                new GenerationEvent.GenerationStats(tokens, 0, 0, 1));
    }

    /** The large model's span: one round per token, then done (LENGTH). */
    private static void largeWrites(CascadeRouter router, String segment, String... texts) {
        for (int i = 0; i < texts.length; i++) {
            router.onEvent(new GenerationEvent.Round(segment, i, new int[] {100 + i}, texts[i], null));
        }
        router.onEvent(done(segment, FinishReason.LENGTH, 7, texts.length));
    }

    private GenerateRequest lastSmall() {
        return (GenerateRequest) output.small.getLast();
    }

    private GenerateRequest lastLarge() {
        return (GenerateRequest) output.large.getLast();
    }

    private CascadeReply.Answer onlyAnswer() {
        assertThat(output.replies).hasSize(1);
        assertThat(output.replies.getFirst()).isInstanceOf(CascadeReply.Answer.class);
        return (CascadeReply.Answer) output.replies.getFirst();
    }

    @Test
    void theFirstUncertainTokenIsHandedToTheLargeModelAndTheSmallOneGoesOnAfterItsSpan() {
        CascadeRouter router = router();
        router.onRequest(request("t", 8, null));
        GenerateRequest small = lastSmall();
        assertThat(small.requestId()).isEqualTo("t:small:0");
        assertThat(small.prompt()).as("the small prompt suffix").isEqualTo("Once upon a time, ");
        assertThat(small.maxTokens()).isEqualTo(8);
        router.onEvent(smallToken("t:small:0", 0, "there ", -0.5));
        router.onEvent(smallToken("t:small:0", 1, "was ", -1.9));
        assertThat(output.large).as("no hand-off while the small model is sure").isEmpty();
        router.onEvent(smallToken("t:small:0", 2, "a ", -2.5)); // surprisal 2.5 > 2

        assertThat(output.small.getLast()).isInstanceOfSatisfying(CancelRequest.class,
                c -> assertThat(c.requestId()).isEqualTo("t:small:0"));
        GenerateRequest large = lastLarge();
        assertThat(large.requestId()).isEqualTo("t:large:1");
        assertThat(large.prompt()).as("prompt and the small text before the uncertain token, less its trailing space")
                .isEqualTo("Once upon a time, there was");
        assertThat(large.maxTokens()).as("token-span").isEqualTo(1);
        assertThat(large.speculation().mode()).isEqualTo(SpeculationPolicy.Mode.OFF);
        assertThat(large.draftText()).isNull();
        assertThat(large.model()).isEqualTo("large");

        // the cancelled small generation runs on for a while: its late events change nothing
        router.onEvent(smallToken("t:small:0", 3, "cat ", -0.1));
        router.onEvent(done("t:small:0", FinishReason.CANCELLED, 6, 4));
        assertThat(output.replies).isEmpty();
        largeWrites(router, "t:large:1", " big");

        small = lastSmall();
        assertThat(small.requestId()).isEqualTo("t:small:2");
        assertThat(small.prompt()).as("everything so far, then the small prompt suffix").isEqualTo("Once upon a time, there was big ");
        assertThat(small.maxTokens()).as("8 - 2 small - 1 large").isEqualTo(5);
        router.onEvent(smallToken("t:small:2", 0, "dog ", -0.1));
        router.onEvent(smallToken("t:small:2", 0, "dog ", -0.1)); // delivered twice
        router.onEvent(smallToken("t:small:2", 1, "ran", -0.3));
        router.onEvent(done("t:small:2", FinishReason.STOP, 9, 2));

        CascadeReply.Answer a = onlyAnswer();
        assertThat(a.text()).isEqualTo("there was big dog ran");
        assertThat(a.routing()).isEqualTo(CascadeRouting.TOKEN);
        assertThat(a.lossy()).isTrue();
        assertThat(a.answeredBy()).isEqualTo(CascadeReply.Model.MIXED);
        assertThat(a.deferred()).isTrue();
        assertThat(a.rule()).isEqualTo(TokenRouter.RULE);
        assertThat(a.score()).as("the highest surprisal seen").isEqualTo(2.5);
        assertThat(a.threshold()).isEqualTo(2.0);
        assertThat(a.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(a.tokenRouting()).isEqualTo(new CascadeReply.TokenRouting(4, 1, 1, false));
        assertThat(a.costs().smallCompletionTokens()).isEqualTo(4);
        assertThat(a.costs().largeCompletionTokens()).isEqualTo(1);
        assertThat(a.costs().largePromptTokens()).isEqualTo(7);
        assertThat(a.costs().smallPromptTokens()).as("the cancelled segment's end was not waited for").isEqualTo(9);
        assertThat(router.pendingRequests()).isZero();
        assertThat(registry.get("speculum.cascade.requests").tag("outcome", "token_routed").counter().count()).isEqualTo(1);
        assertThat(registry.get("speculum.cascade.token_handoffs").tag("lossy", "true").counter().count()).isEqualTo(1);
        assertThat(registry.get("speculum.cascade.token_routed_tokens").tag("model", "large").tag("routing", "token").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("speculum.cascade.token_routed_tokens").tag("model", "small").counter().count()).isEqualTo(4);
    }

    @Test
    void anInfiniteThresholdKeepsTheSmallAnswerAndALowOneHandsOffEarlier() {
        CascadeRouter router = router();
        router.onRequest(request("sure", 3, Double.POSITIVE_INFINITY));
        router.onEvent(smallToken("sure:small:0", 0, "there ", -0.5));
        router.onEvent(smallToken("sure:small:0", 1, "was ", -9));
        router.onEvent(smallToken("sure:small:0", 2, "a", -2.5));
        router.onEvent(done("sure:small:0", FinishReason.LENGTH, 6, 3));
        CascadeReply.Answer a = onlyAnswer();
        assertThat(a.text()).isEqualTo("there was a");
        assertThat(a.answeredBy()).isEqualTo(CascadeReply.Model.SMALL);
        assertThat(a.deferred()).isFalse();
        assertThat(a.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(a.tokenRouting()).isEqualTo(new CascadeReply.TokenRouting(3, 0, 0, false));
        assertThat(output.large).isEmpty();

        router.onRequest(request("low", 3, 0.7));
        router.onEvent(smallToken("low:small:0", 0, "there ", -0.5));
        router.onEvent(smallToken("low:small:0", 1, "was ", -1.0)); // above this request's 0.7
        assertThat(lastLarge().prompt()).isEqualTo("Once upon a time, there");
    }

    @Test
    void textTheSmallModelStillHeldBackIsDroppedWithItsTokensAtAHandOff() {
        CascadeRouter router = router();
        router.onRequest(request("held", 3, null));
        router.onEvent(smallToken("held:small:0", 0, "there ", -0.5));
        router.onEvent(smallToken("held:small:0", 1, "", -0.2)); // its text held back (a stop-string prefix, say)
        router.onEvent(smallToken("held:small:0", 2, "x", -4));
        assertThat(lastLarge().prompt()).isEqualTo("Once upon a time, there");
        largeWrites(router, "held:large:1", " was");
        assertThat(lastSmall().maxTokens()).as("3 - 1 small kept - 1 large").isEqualTo(1);
        assertThat(lastSmall().prompt()).isEqualTo("Once upon a time, there was ");
        router.onEvent(smallToken("held:small:2", 0, "a", -0.1));
        router.onEvent(done("held:small:2", FinishReason.LENGTH, 8, 1));
        CascadeReply.Answer a = onlyAnswer();
        assertThat(a.text()).isEqualTo("there was a");
        assertThat(a.tokenRouting()).isEqualTo(new CascadeReply.TokenRouting(2, 1, 1, false));
    }

    @Test
    void pastMaxHandoffsTheSmallModelFinishesAlone() {
        CascadeRouter router = router(CascadeProperties.LargeFailure.ERROR, Duration.ofSeconds(5), Duration.ofSeconds(5), 1);
        router.onRequest(request("limit", 4, null));
        router.onEvent(smallToken("limit:small:0", 0, "a ", -3));
        assertThat(lastLarge().prompt()).as("the suffix cut too").isEqualTo(PROMPT);
        largeWrites(router, "limit:large:1", " The");
        router.onEvent(smallToken("limit:small:2", 0, "cat ", -5)); // uncertain, but no hand-off is left
        router.onEvent(smallToken("limit:small:2", 1, "sat ", -0.1));
        router.onEvent(smallToken("limit:small:2", 2, "down", -0.1));
        router.onEvent(done("limit:small:2", FinishReason.LENGTH, 5, 3));
        CascadeReply.Answer a = onlyAnswer();
        assertThat(a.text()).as("the large model's first token begins the answer with its space").isEqualTo(" The cat sat down");
        assertThat(a.tokenRouting()).isEqualTo(new CascadeReply.TokenRouting(3, 1, 1, true));
        assertThat(a.score()).isEqualTo(5.0);
        assertThat(output.large).hasSize(1);
    }

    @Test
    void aStopStringAcrossAHandOffEndsTheAnswerBeforeIt() {
        CascadeRouter router = router();
        router.onRequest(request("stop", 8, null, "big dog"));
        router.onEvent(smallToken("stop:small:0", 0, "there ", -0.5));
        router.onEvent(smallToken("stop:small:0", 1, "was ", -3));
        largeWrites(router, "stop:large:1", " a big");
        router.onEvent(smallToken("stop:small:2", 0, "dog ", -0.1));
        CascadeReply.Answer a = onlyAnswer();
        assertThat(a.text()).isEqualTo("there a ");
        assertThat(a.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(output.small.getLast()).as("the running small segment is cancelled").isInstanceOfSatisfying(CancelRequest.class,
                c -> assertThat(c.requestId()).isEqualTo("stop:small:2"));
        router.onEvent(done("stop:small:2", FinishReason.CANCELLED, 9, 1));
        assertThat(output.replies).hasSize(1);
    }

    @Test
    void aSilentLargeModelEndsTheRequestOnceWithinItsLimit() {
        CascadeRouter router = router(CascadeProperties.LargeFailure.ERROR, Duration.ofSeconds(5), Duration.ofMillis(200), 64);
        router.onRequest(request("silent", 8, null));
        router.onEvent(smallToken("silent:small:0", 0, "a ", -3));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !output.replies.isEmpty());
        assertThat(output.replies).singleElement().isInstanceOfSatisfying(CascadeReply.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
            assertThat(e.message()).contains("large model did not answer within 200 ms");
        });
        assertThat(output.large.getLast()).isInstanceOfSatisfying(CancelRequest.class,
                c -> assertThat(c.requestId()).isEqualTo("silent:large:1"));
        largeWrites(router, "silent:large:1", "late");
        assertThat(output.replies).hasSize(1);
        assertThat(router.pendingRequests()).isZero();
    }

    @Test
    void aFailingLargeModelLetsTheSmallOneFinishAloneWhenConfiguredAndSaysSo() {
        CascadeRouter router = router(CascadeProperties.LargeFailure.SMALL_ANSWER, Duration.ofSeconds(5), Duration.ofSeconds(5), 64);
        router.onRequest(request("f", 3, null));
        router.onEvent(smallToken("f:small:0", 0, "there ", -0.5));
        router.onEvent(smallToken("f:small:0", 1, "was ", -3));
        router.onEvent(new GenerationEvent.Error("f:large:1", 0, ErrorCode.OVERLOADED, "busy"));
        GenerateRequest alone = lastSmall();
        assertThat(alone.requestId()).isEqualTo("f:small:2");
        assertThat(alone.prompt()).isEqualTo("Once upon a time, there ");
        router.onEvent(smallToken("f:small:2", 0, "was ", -3)); // uncertain, but the large model is out
        router.onEvent(smallToken("f:small:2", 1, "a", -0.1));
        router.onEvent(done("f:small:2", FinishReason.LENGTH, 7, 2));
        CascadeReply.Answer a = onlyAnswer();
        assertThat(a.text()).isEqualTo("there was a");
        assertThat(a.answeredBy()).isEqualTo(CascadeReply.Model.SMALL);
        assertThat(a.undeferred()).isEqualTo("large model: busy");
        assertThat(a.tokenRouting()).isEqualTo(new CascadeReply.TokenRouting(3, 0, 1, false));

        CascadeRouter errors = router();
        errors.onRequest(request("e", 3, null));
        errors.onEvent(smallToken("e:small:0", 0, "a ", -3));
        errors.onEvent(new GenerationEvent.Error("e:large:1", 0, ErrorCode.OVERLOADED, "busy"));
        assertThat(output.replies.getLast()).isInstanceOfSatisfying(CascadeReply.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
            assertThat(e.message()).isEqualTo("large model: busy");
        });
    }

    @Test
    void aSilentOrFailingSmallModelEndsTheRequestOnce() {
        CascadeRouter router = router(CascadeProperties.LargeFailure.SMALL_ANSWER, Duration.ofMillis(200), Duration.ofSeconds(5), 64);
        router.onRequest(request("quiet", 8, null));
        router.onEvent(smallToken("quiet:small:0", 0, "a ", -3));
        largeWrites(router, "quiet:large:1", " The");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !output.replies.isEmpty());
        assertThat(output.replies).singleElement().isInstanceOfSatisfying(CascadeReply.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
            assertThat(e.message()).contains("small model did not answer within 200 ms");
        });
        assertThat(output.small.getLast()).isInstanceOfSatisfying(CancelRequest.class,
                c -> assertThat(c.requestId()).isEqualTo("quiet:small:2"));

        router.onRequest(request("full", 8, null));
        router.onEvent(smallToken("full:small:0", 0, "there ", -0.1));
        router.onEvent(smallToken("full:small:0", 1, "was ", -3));
        router.onEvent(new GenerationEvent.Error("full:large:1", 0, ErrorCode.PROMPT_TOO_LONG, "no room"));
        assertThat(output.replies.getLast()).as("a later segment's prompt no longer fits: the answer so far")
                .isInstanceOfSatisfying(CascadeReply.Answer.class, a -> {
                    assertThat(a.finishReason()).isEqualTo(FinishReason.CONTEXT);
                    assertThat(a.text()).isEqualTo("there");
                });

        router.onRequest(request("broken", 8, null));
        router.onEvent(new GenerationEvent.Error("broken:small:0", 0, ErrorCode.PROMPT_TOO_LONG, "too long"));
        assertThat(output.replies.getLast()).isInstanceOfSatisfying(CascadeReply.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.PROMPT_TOO_LONG);
            assertThat(e.message()).isEqualTo("small model: too long");
        });
        assertThat(router.pendingRequests()).isZero();
    }

    @Test
    void badTokenRoutingRequestsAreRefusedClearly() {
        CascadeRouter router = router();
        router.onRequest(new CascadeRequest("both", "client", PROMPT, 4, null, null, 1.0, 0, 0, CascadeRouting.TOKEN, null));
        router.onRequest(new CascadeRequest("defer", "client", PROMPT, 4, null, null, null, 0, 0, CascadeRouting.DEFER, 2.0));
        router.onRequest(request("nan", 4, Double.NaN));
        assertThat(router.unreadable("odd", "unknown routing 'SIDEWAYS'")).satisfies(e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(e.message()).contains("SIDEWAYS");
        });
        assertThat(output.replies).extracting(r -> ((CascadeReply.Error) r).code()).containsOnly(ErrorCode.INVALID_REQUEST).hasSize(3);
        assertThat(output.replies).extracting(CascadeReply::requestId).containsExactly("both", "defer", "nan");
        assertThat(output.small).isEmpty();

        router.onRequest(request("one", 4, null));
        router.onRequest(request("one", 4, null)); // at-least-once delivery
        assertThat(output.small).hasSize(1);
        router.close();
        assertThat(output.replies.getLast()).isInstanceOfSatisfying(CascadeReply.Error.class, e -> {
            assertThat(e.requestId()).isEqualTo("one");
            assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
        });
    }

    @Test
    void aCancelMidLoopStopsTheCurrentSegmentAndEndsWithOneCancelledReply() {
        CascadeRouter router = router();
        router.onRequest(request("c", 8, null));
        router.onEvent(smallToken("c:small:0", 0, "there ", -0.5));
        router.onEvent(smallToken("c:small:0", 1, "was ", -2.5)); // hand-off
        largeWrites(router, "c:large:1", " a");
        assertThat(lastSmall().requestId()).isEqualTo("c:small:2");
        router.onEvent(smallToken("c:small:2", 0, "cat ", -0.1));

        router.onCancel(new CancelRequest("c", "client disconnected"));
        assertThat(output.small.getLast()).isInstanceOfSatisfying(CancelRequest.class,
                c -> assertThat(c.requestId()).isEqualTo("c:small:2"));
        assertThat(output.replies).singleElement().isInstanceOfSatisfying(CascadeReply.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED);
            assertThat(e.message()).contains("client disconnected");
        });
        // the segment's late events start no hand-off and no reply
        router.onEvent(smallToken("c:small:2", 1, "sat ", -3));
        router.onEvent(done("c:small:2", FinishReason.CANCELLED, 9, 2));
        assertThat(output.large).hasSize(1);
        assertThat(output.replies).hasSize(1);
        assertThat(router.pendingRequests()).isZero();

        // cancelled while the large model writes: its segment is cancelled
        router.onRequest(request("d", 8, null));
        router.onEvent(smallToken("d:small:0", 0, "there ", -2.5));
        assertThat(lastLarge().requestId()).isEqualTo("d:large:1");
        router.onCancel(new CancelRequest("d", "the gateway's time limit passed"));
        assertThat(output.large.getLast()).isInstanceOfSatisfying(CancelRequest.class,
                c -> assertThat(c.requestId()).isEqualTo("d:large:1"));
        largeWrites(router, "d:large:1", " a");
        assertThat(output.replies).hasSize(2);
        assertThat(output.replies.getLast()).isInstanceOfSatisfying(CascadeReply.Error.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
        assertThat(output.small.getLast()).as("no further segment, only the hand-off's cancel")
                .isEqualTo(new CancelRequest("d:small:0", "handed off to the large model"));
        assertThat(registry.get("speculum.cascade.requests").tag("outcome", "cancelled").counter().count()).isEqualTo(2);
    }

    @Test
    void anEventWaitingWhileTheRequestEndsStartsNothing() throws InterruptedException {
        // the large model's done arrives on the reply listener while a cancel, on the request listener, holds the
        // session; it must find the request ended, not hand it back to the small model and reply a second time
        Thread[] late = new Thread[1];
        CascadeRouter[] router = new CascadeRouter[1];
        RecordingCascadeOutput racing = new RecordingCascadeOutput() {
            @Override
            public void toLarge(io.speculum.protocol.GenerateTopicRecord record) {
                super.toLarge(record);
                if (record instanceof CancelRequest) {
                    late[0] = new Thread(() -> router[0].onEvent(done("r:large:1", FinishReason.LENGTH, 7, 1)));
                    late[0].start();
                    Awaitility.await().until(() -> late[0].getState() == Thread.State.BLOCKED); // on the session
                }
            }
        };
        router[0] = router(racing, CascadeProperties.LargeFailure.ERROR, Duration.ofSeconds(5), Duration.ofSeconds(5), 64);
        router[0].onRequest(request("r", 8, null));
        router[0].onEvent(smallToken("r:small:0", 0, "there ", -0.1));
        router[0].onEvent(smallToken("r:small:0", 1, "x", -5)); // hand-off: the large model writes r:large:1
        router[0].onCancel(new CancelRequest("r", "client disconnected"));
        late[0].join();
        assertThat(racing.replies).singleElement().isInstanceOfSatisfying(CascadeReply.Error.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
        assertThat(racing.small).as("no new small segment after the end").noneMatch(
                r -> r instanceof GenerateRequest g && g.requestId().equals("r:small:2"));
        assertThat(router[0].pendingRequests()).isZero();
    }

    @Test
    void aLargeFailureAfterTheLastTokenEndsTheAnswerInsteadOfAskingTheSmallModelForNothing() {
        CascadeRouter router = router(CascadeProperties.LargeFailure.SMALL_ANSWER, Duration.ofSeconds(5), Duration.ofSeconds(5), 64);
        router.onRequest(request("f", 2, null));
        router.onEvent(smallToken("f:small:0", 0, "there ", -0.1));
        router.onEvent(smallToken("f:small:0", 1, "x", -5)); // hand-off with one token left
        router.onEvent(new GenerationEvent.Round("f:large:1", 0, new int[] {100}, " was", null));
        router.onEvent(new GenerationEvent.Error("f:large:1", 1, ErrorCode.INTERNAL, "the verifier crashed"));
        assertThat(output.small).noneMatch(r -> r instanceof GenerateRequest g && g.maxTokens() < 1);
        assertThat(output.replies).singleElement().isInstanceOfSatisfying(CascadeReply.Answer.class, a -> {
            assertThat(a.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(a.undeferred()).contains("the verifier crashed");
            assertThat(a.tokenRouting().smallTokens() + a.tokenRouting().largeTokens()).isEqualTo(2);
        });
    }
}
