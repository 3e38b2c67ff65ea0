package io.speculum.cascade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.speculum.cascade.calibration.DraftTextReplay;
import io.speculum.cascade.calibration.InProcessGenerator;
import io.speculum.drafter.DrafterApplication;
import io.speculum.llama.Model;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.CascadeReply;
import io.speculum.protocol.CascadeRequest;
import io.speculum.protocol.CascadeRouting;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.ProtocolError.ErrorCode;
import io.speculum.protocol.SpeculationPolicy;
import io.speculum.protocol.Topics;
import io.speculum.verifier.VerifierApplication;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.kafka.test.utils.ContainerTestUtils;
import org.springframework.web.client.RestClient;

/**
 * The cascade end to end over a real (in-process KRaft) broker: a drafter-service serving TinyStories-656K as the
 * small model, a verifier-service serving stories260K as the large one, and the cascade router, driven by a plain
 * Kafka client. Thresholds are picked from the scores measured here, not assumed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CascadeOverKafkaTest {

    private static final Path SHARED = Path.of(System.getProperty("speculum.shared.dir"));
    private static final Path LARGE = SHARED.resolve("models/stories260K.gguf");
    private static final Path SMALL = SHARED.resolve("models/TinyStories-656K-f32.gguf");
    private static final String REPLIES = "test-cascade-replies";
    private static final String DIRECT = "test-direct-replies";
    private static final int TOKENS = 24;
    private static final int LONG = 64;
    private static final List<String> PROMPTS = List.of(
            "Once upon a time, there was a little girl named Lily.",
            "The sun was shining and the birds",
            "Tom had a big red ball. One day,",
            "Grandpa's old clock made a strange",
            "The purple dragon whispered seven",
            "Mia and her mom went to the park");

    private static EmbeddedKafkaKraftBroker broker;
    private static ConfigurableApplicationContext smallApp;
    private static ConfigurableApplicationContext largeApp;
    private static ConfigurableApplicationContext routerApp;
    private static Model large;
    private static InProcessGenerator largeAlone;
    private static Model small;
    private static InProcessGenerator smallAlone;
    private static KafkaProducer<String, byte[]> producer;
    private static TopicCollector<CascadeReply> replies;
    private static TopicCollector<GenerationEvent> direct;
    private static TopicCollector<Void> deadLetters;
    private static final Map<String, Double> scores = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        broker = new EmbeddedKafkaKraftBroker(1, 3, Topics.GENERATE, Topics.DRAFT, Topics.VERIFY, Topics.SMALL_GENERATE,
                Topics.CASCADE, Topics.DEAD_LETTER, "llm.cascade-router-replies", REPLIES, DIRECT);
        broker.afterPropertiesSet();
        large = Model.load(LARGE);
        largeAlone = new InProcessGenerator(large);
        small = Model.load(SMALL);
        smallAlone = new InProcessGenerator(small);
        // the small model's own drafter-service: it serves llm.small-generate; its drafting is never asked for
        // (deferred requests verify only the small answer: large-speculation off)
        smallApp = awaitAssignment(DrafterApplication.builder().run("--server.port=0",
                "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
                "--speculum.drafter.model.path=" + SMALL));
        largeApp = awaitAssignment(VerifierApplication.builder().run("--server.port=0",
                "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
                "--speculum.verifier.model.path=" + LARGE));
        routerApp = startRouter("error");
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
        replies = new TopicCollector<>(broker.getBrokersAsString(), REPLIES, CascadeReply.class);
        direct = new TopicCollector<>(broker.getBrokersAsString(), DIRECT, GenerationEvent.class);
        deadLetters = new TopicCollector<>(broker.getBrokersAsString(), Topics.DEAD_LETTER, null);
    }

    @AfterAll
    static void stop() {
        deadLetters.close();
        direct.close();
        replies.close();
        producer.close();
        for (ConfigurableApplicationContext app : new ConfigurableApplicationContext[] {routerApp, largeApp, smallApp}) {
            if (app != null) {
                app.close();
            }
        }
        largeAlone.close();
        large.close();
        smallAlone.close();
        small.close();
        broker.destroy();
    }

    @Test
    @Order(1)
    void lowUncertaintyIsAnsweredSmallAndHighUncertaintyIsDeferredToTheLargeModelsOwnAnswer() {
        for (int i = 0; i < PROMPTS.size(); i++) { // measure: a threshold nothing exceeds keeps every answer small
            send(request("measure-" + i, PROMPTS.get(i), Double.MAX_VALUE));
        }
        for (int i = 0; i < PROMPTS.size(); i++) {
            CascadeReply.Answer measured = answer(awaitReply("measure-" + i));
            assertThat(measured.answeredBy()).isEqualTo(CascadeReply.Model.SMALL);
            assertThat(measured.deferred()).isFalse();
            assertThat(measured.costs().smallCompletionTokens()).isPositive();
            assertThat(measured.costs().largeCompletionTokens()).isZero();
            scores.put(PROMPTS.get(i), measured.score());
        }
        String confident = scores.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
        String unsure = scores.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertThat(scores.get(unsure)).as("the prompts' small answers differ in uncertainty: %s", scores).isGreaterThan(scores.get(confident));
        double threshold = (scores.get(confident) + scores.get(unsure)) / 2;

        send(request("confident", confident, threshold));
        send(request("unsure", unsure, threshold));
        CascadeReply.Answer small = answer(awaitReply("confident"));
        CascadeReply.Answer deferred = answer(awaitReply("unsure"));

        assertThat(small.answeredBy()).isEqualTo(CascadeReply.Model.SMALL);
        // the same answer, scored again (decoded beside other requests: logits may differ in the last bits)
        assertThat(small.score()).isCloseTo(scores.get(confident), within(1e-4)).isLessThanOrEqualTo(small.threshold());
        assertThat(deferred.answeredBy()).isEqualTo(CascadeReply.Model.LARGE);
        assertThat(deferred.deferred()).isTrue();
        assertThat(deferred.undeferred()).isNull();
        assertThat(deferred.score()).isGreaterThan(deferred.threshold());
        assertThat(deferred.threshold()).isEqualTo(threshold);
        assertThat(deferred.rule()).isEqualTo("chow-quantile-0.5");
        InProcessGenerator.Generated own = largeAlone.generate(unsure, TOKENS);
        assertThat(deferred.text()).as("the large model's own greedy answer").isEqualTo(own.text());
        assertThat(deferred.costs().largeCompletionTokens()).isEqualTo(own.tokens().length);
        assertThat(deferred.costs().smallCompletionTokens()).as("the small answer was paid for too").isPositive();
    }

    @Test
    @Order(2)
    void theSpeculativeCascadeNeedsFewerLargeModelPassesThanGeneratingFromScratch() {
        // threshold -1 defers whatever the score; longer answers, where the two models' phrases meet
        List<String> prompts = List.of("Once upon a time, there was a little girl named", "One day, Lily went to the",
                "The little dog wagged his");
        int speculativeRounds = 0;
        int scratchRounds = 0;
        int accepted = 0;
        for (int i = 0; i < prompts.size(); i++) {
            send(new CascadeRequest("speculative-" + i, REPLIES, prompts.get(i), LONG, SamplingParams.greedy(), List.of(), -1.0, 0, 0));
            GenerateRequest scratch = new GenerateRequest("scratch-" + i, DIRECT, null, prompts.get(i), null, LONG,
                    SamplingParams.greedy(), List.of(), SpeculationPolicy.off(), 0, 0);
            producer.send(new ProducerRecord<>(Topics.GENERATE, scratch.requestId(), ProtocolCodec.write(scratch)));
            producer.flush();
        }
        for (int i = 0; i < prompts.size(); i++) {
            CascadeReply.Answer deferred = answer(awaitReply("speculative-" + i));
            String id = "scratch-" + i;
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> direct.records(id).stream().anyMatch(GenerationEvent::ends));
            GenerationEvent.Done alone = (GenerationEvent.Done) direct.records(id).stream().filter(GenerationEvent::ends).findFirst().orElseThrow();

            assertThat(deferred.answeredBy()).isEqualTo(CascadeReply.Model.LARGE);
            assertThat(deferred.text()).isEqualTo(largeAlone.generate(prompts.get(i), LONG).text());
            assertThat(deferred.costs().largeCompletionTokens()).isEqualTo(alone.usage().completionTokens());
            // with only the small answer as draft, every accepted token of it is one large-model pass saved
            assertThat(deferred.costs().largeVerificationRounds()).as(prompts.get(i))
                    .isEqualTo(alone.stats().rounds() - deferred.costs().largeDraftTokensAccepted());
            // the calibration command's replay of the verifier's draft-text rule counts the same
            InProcessGenerator.Generated own = largeAlone.generate(prompts.get(i), LONG);
            String smallText = " " + smallAlone.generate(prompts.get(i) + " ", LONG).text();
            DraftTextReplay replay = DraftTextReplay.of(own.promptTokens(), own.tokens(), own.finish() == GenerationEvent.FinishReason.STOP,
                    LONG, DraftTextReplay.hintTokens(large, prompts.get(i), own.promptTokens(), smallText), 8);
            assertThat(replay.rounds()).as("replayed rounds, %s", prompts.get(i)).isEqualTo(deferred.costs().largeVerificationRounds());
            assertThat(replay.accepted()).isEqualTo(deferred.costs().largeDraftTokensAccepted());
            speculativeRounds += deferred.costs().largeVerificationRounds();
            scratchRounds += alone.stats().rounds();
            accepted += deferred.costs().largeDraftTokensAccepted();
        }
        assertThat(accepted).as("tokens of the small answers the large model kept").isPositive();
        assertThat(speculativeRounds).as("large-model passes after the prefill").isLessThan(scratchRounds);
    }

    @Test
    @Order(3)
    void badInputGetsAClearErrorAndUnreadableRecordsAreDeadLettered() {
        send(new CascadeRequest("too-long", REPLIES, "Once", 100_000, null, null, null, 0, 0));
        assertThat(awaitReply("too-long")).isInstanceOfSatisfying(CascadeReply.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(e.message()).contains("maxTokens");
        });
        send(new CascadeRequest("no-prompt", REPLIES, " ", 8, null, null, null, 0, 0));
        assertThat(((CascadeReply.Error) awaitReply("no-prompt")).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        producer.send(new ProducerRecord<>(Topics.CASCADE, "garbage", "{not json".getBytes(StandardCharsets.UTF_8)));
        producer.flush();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters.raw().stream().anyMatch(r -> "garbage".equals(r.key())));
        // an unknown routing mode is answered (the request names its reply topic) and dead-lettered
        String sideways = ProtocolCodec.writeString(tokenRouted("sideways", "Once", 1.0)).replace("\"TOKEN\"", "\"SIDEWAYS\"");
        producer.send(new ProducerRecord<>(Topics.CASCADE, "sideways", sideways.getBytes(StandardCharsets.UTF_8)));
        producer.flush();
        assertThat(awaitReply("sideways")).isInstanceOfSatisfying(CascadeReply.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(e.message()).contains("SIDEWAYS");
        });
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters.raw().stream().anyMatch(r -> "sideways".equals(r.key())));
    }

    @Test
    @Order(4)
    void tokenRoutingKeepsTheSmallAnswerAtAnInfiniteThresholdAndHandsOffAtTheFirstUncertainTokenBelowIt() {
        List<String> prompts = List.of(PROMPTS.get(1), PROMPTS.get(3));
        for (int i = 0; i < prompts.size(); i++) {
            send(tokenRouted("alone-" + i, prompts.get(i), Double.MAX_VALUE));
        }
        for (int i = 0; i < prompts.size(); i++) {
            CascadeReply.Answer alone = answer(awaitReply("alone-" + i));
            InProcessGenerator.Generated own = smallAlone.generate(prompts.get(i) + " ", TOKENS);
            assertThat(alone.text()).as("the small model's own greedy answer").isEqualTo(own.text());
            assertThat(alone.routing()).isEqualTo(CascadeRouting.TOKEN);
            assertThat(alone.lossy()).isTrue();
            assertThat(alone.answeredBy()).isEqualTo(CascadeReply.Model.SMALL);
            assertThat(alone.tokenRouting()).isEqualTo(new CascadeReply.TokenRouting(own.tokens().length, 0, 0, false));
            assertThat(alone.costs().largeCompletionTokens()).isZero();
        }

        // a threshold in the widest gap among the small answer's highest surprisals, as measured here
        String prompt = prompts.getFirst();
        InProcessGenerator.Generated own = smallAlone.generate(prompt + " ", TOKENS);
        double[] surprisals = own.confidence().stream().mapToDouble(c -> -c.logProb()).toArray();
        double[] highest = Arrays.stream(surprisals).boxed().sorted(Comparator.reverseOrder()).limit(4)
                .mapToDouble(Double::doubleValue).toArray();
        double threshold = Double.NaN;
        double gap = -1;
        for (int i = 0; i + 1 < highest.length; i++) {
            if (highest[i] - highest[i + 1] > gap) {
                gap = highest[i] - highest[i + 1];
                threshold = (highest[i] + highest[i + 1]) / 2;
            }
        }
        assertThat(gap).as("surprisals %s", Arrays.toString(surprisals)).isGreaterThan(1e-3);
        int first = 0;
        while (surprisals[first] <= threshold) {
            first++;
        }
        // the large model continues prompt, suffix and small text less their trailing spaces (token-trim-spaces)
        String context = (" " + (first == 0 ? "" : smallAlone.generate(prompt + " ", first).text())).replaceAll(" +$", "");
        String largeSpan = largeAlone.generate(prompt + context, 1).text();
        String expectedStart = context.substring(Math.min(1, context.length())) + largeSpan;

        send(tokenRouted("routed", prompt, threshold));
        CascadeReply.Answer routed = answer(awaitReply("routed"));
        assertThat(routed.lossy()).isTrue();
        assertThat(routed.threshold()).isEqualTo(threshold);
        assertThat(routed.tokenRouting().handoffs()).isPositive();
        assertThat(routed.tokenRouting().largeTokens()).isPositive();
        assertThat(routed.deferred()).isTrue();
        assertThat(routed.text()).as("the small text before token %d, then the large model's own next token", first)
                .startsWith(expectedStart);
        assertThat(routed.tokenRouting().smallTokens() + routed.tokenRouting().largeTokens()).isLessThanOrEqualTo(TOKENS);
        assertThat(routed.costs().largeCompletionTokens()).isEqualTo(routed.tokenRouting().largeTokens());
        assertThat(routed.score()).as("the highest surprisal seen").isGreaterThan(threshold);
    }

    @Test
    @Order(5)
    void aCancelRightAfterATypelessRequestEndsItWithOneCancelledReply() {
        // a client from before cancellation sends no type; the cancel follows with the same key, so it is read after it
        String typeless = ProtocolCodec.writeString(new CascadeRequest("cancelled", REPLIES, PROMPTS.get(4), LONG,
                SamplingParams.greedy(), List.of(), -1.0, 0, 0)).replace("\"type\":\"cascade\",", "");
        assertThat(typeless).doesNotContain("\"type\"");
        producer.send(new ProducerRecord<>(Topics.CASCADE, "cancelled", typeless.getBytes(StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>(Topics.CASCADE, "cancelled",
                ProtocolCodec.write(new CancelRequest("cancelled", "client disconnected"))));
        producer.flush();
        assertThat(awaitReply("cancelled")).isInstanceOfSatisfying(CascadeReply.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED);
            assertThat(e.message()).contains("client disconnected");
        });
        // a cancel for a request that ended is ignored: still one reply, and the router goes on answering (the next
        // request is keyed like the cancel, so it is read after it)
        producer.send(new ProducerRecord<>(Topics.CASCADE, "cancelled",
                ProtocolCodec.write(new CancelRequest("cancelled", "again"))));
        producer.send(new ProducerRecord<>(Topics.CASCADE, "cancelled",
                ProtocolCodec.write(request("after-cancel", PROMPTS.get(0), Double.MAX_VALUE))));
        producer.flush();
        assertThat(answer(awaitReply("after-cancel")).answeredBy()).isEqualTo(CascadeReply.Model.SMALL);
        assertThat(replies.records("cancelled")).hasSize(1);
    }

    @Test
    @Order(6)
    void metricsCountRequestsDeferralsScoresAndTokensPerModel() {
        String metrics = RestClient.create("http://localhost:" + routerApp.getEnvironment().getProperty("local.server.port"))
                .get().uri("/actuator/prometheus").retrieve().body(String.class);
        assertThat(metrics)
                .containsPattern("speculum_cascade_requests_total\\{[^}]*outcome=\"small\"[^}]*\\} [1-9]")
                .containsPattern("speculum_cascade_requests_total\\{[^}]*outcome=\"large\"[^}]*\\} [1-9]")
                .containsPattern("speculum_cascade_requests_total\\{[^}]*outcome=\"error\"[^}]*\\} [1-9]")
                .containsPattern("speculum_cascade_requests_total\\{[^}]*outcome=\"cancelled\"[^}]*\\} [1-9]")
                .containsPattern("speculum_cascade_deferrals_total(\\{[^}]*\\})? [1-9]")
                .containsPattern("speculum_cascade_deferral_rate(\\{[^}]*\\})? 0\\.[0-9]*[1-9]")
                .contains("speculum_cascade_score_bucket{")
                .containsPattern("speculum_cascade_tokens_total\\{[^}]*model=\"large\"[^}]*\\} [1-9]")
                .containsPattern("speculum_cascade_tokens_total\\{[^}]*model=\"small\"[^}]*\\} [1-9]")
                .containsPattern("speculum_cascade_requests_total\\{[^}]*outcome=\"token_routed\"[^}]*\\} [1-9]")
                .containsPattern("speculum_cascade_token_handoffs_total\\{[^}]*lossy=\"true\"[^}]*\\} [1-9]")
                .containsPattern("speculum_cascade_token_routed_tokens_total\\{[^}]*model=\"large\"[^}]*routing=\"token\"[^}]*\\} [1-9]");
    }

    @Test
    @Order(7)
    void withTheLargeModelGoneADeferredRequestEndsInTheConfiguredOutcomeAndNeverHangs() {
        largeApp.close();
        largeApp = null;
        String prompt = PROMPTS.get(2);
        send(request("gone-error", prompt, -1.0));
        assertThat(awaitReply("gone-error")).isInstanceOfSatisfying(CascadeReply.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
            assertThat(e.message()).contains("large model did not answer");
        });
        routerApp.close();
        routerApp = startRouter("small-answer");
        send(request("gone-small", prompt, -1.0));
        assertThat(awaitReply("gone-small")).isInstanceOfSatisfying(CascadeReply.Answer.class, a -> {
            assertThat(a.answeredBy()).isEqualTo(CascadeReply.Model.SMALL);
            assertThat(a.deferred()).as("the rule said defer").isTrue();
            assertThat(a.undeferred()).contains("large model did not answer");
            assertThat(a.text()).isNotBlank();
            assertThat(a.costs().largeCompletionTokens()).isZero();
        });
    }

    private static ConfigurableApplicationContext startRouter(String onLargeFailure) {
        return awaitAssignment(CascadeRouterApplication.builder().run("--server.port=0",
                "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
                "--speculum.cascade.small-model=TinyStories-656K-f32",
                "--speculum.cascade.small-prompt-suffix= ",
                "--speculum.cascade.large-speculation=off",
                "--speculum.cascade.large-timeout=4s",
                "--speculum.cascade.on-large-failure=" + onLargeFailure));
    }

    private static ConfigurableApplicationContext awaitAssignment(ConfigurableApplicationContext app) {
        for (MessageListenerContainer container : app.getBean(KafkaListenerEndpointRegistry.class).getListenerContainers()) {
            ContainerTestUtils.waitForAssignment(container, 3);
        }
        return app;
    }

    private static CascadeRequest request(String id, String prompt, Double threshold) {
        return new CascadeRequest(id, REPLIES, prompt, TOKENS, SamplingParams.greedy(), List.of(), threshold, 0, 0);
    }

    private static CascadeRequest tokenRouted(String id, String prompt, double tokenThreshold) {
        return new CascadeRequest(id, REPLIES, prompt, TOKENS, SamplingParams.greedy(), List.of(), null, 0, 0, CascadeRouting.TOKEN,
                tokenThreshold);
    }

    private static void send(CascadeRequest request) {
        producer.send(new ProducerRecord<>(Topics.CASCADE, request.requestId(), ProtocolCodec.write(request)));
        producer.flush();
    }

    private static CascadeReply awaitReply(String id) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !replies.records(id).isEmpty());
        assertThat(replies.records(id)).as("exactly one reply").hasSize(1);
        return replies.records(id).getFirst();
    }

    private static CascadeReply.Answer answer(CascadeReply reply) {
        assertThat(reply).isInstanceOf(CascadeReply.Answer.class);
        return (CascadeReply.Answer) reply;
    }
}
