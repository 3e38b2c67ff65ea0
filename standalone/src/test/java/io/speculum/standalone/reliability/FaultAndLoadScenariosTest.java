package io.speculum.standalone.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Faults and load against the suite as separate JVMs ({@link SeparateJvmSuite}): kill -9 of the drafter and of the
 * gateway mid-stream, poison records, overload and a soak. CI-sized by default; the sizes are system properties
 * ({@code speculum.reliability.soak}, {@code .soak-streams}), and the {@code reliability} Maven profile runs the
 * full-size soak. Each scenario's figures go to {@code target/reliability/figures.md} (and the log).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultAndLoadScenariosTest {

    private static final String KEY = "reliability-key";
    private static final List<String> PROMPTS = List.of("Once upon a time", "The little dog", "Lily and Tom went to the park",
            "One day, a big bear", "The sun was hot and", "Sam had a red ball");
    private static final Duration SOAK = Duration.parse("PT" + System.getProperty("speculum.reliability.soak", "30s").toUpperCase());
    private static final int SOAK_STREAMS = Integer.getInteger("speculum.reliability.soak-streams", 64);
    private static final Path FIGURES = Path.of("target", "reliability", "figures.md");

    private static SeparateJvmSuite suite;
    private static StreamClient client;
    /** Greedy reference texts, computed before any fault: prompt → completion. */
    private static final Map<String, String> REFERENCE = new ConcurrentHashMap<>();

    @BeforeAll
    static void startSuite() throws Exception {
        Files.createDirectories(FIGURES.getParent());
        Files.writeString(FIGURES, "# Reliability scenarios (" + java.time.Instant.now() + ", soak " + SOAK + " × " + SOAK_STREAMS
                + " streams)\n\n");
        // a killed member leaves its consumer group after the session timeout: keep it short so recovery is quick
        Map<String, String> fastGroups = Map.of("spring.kafka.consumer.properties.session.timeout.ms", "6000",
                "spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");
        suite = SeparateJvmSuite.start(Path.of("target", "reliability", "logs"), KEY, Map.of(
                SeparateJvmSuite.DRAFTER, fastGroups, SeparateJvmSuite.VERIFIER, fastGroups));
        client = new StreamClient(suite.api(), KEY);
        for (String prompt : PROMPTS) {
            StreamClient.Outcome reference = client.stream("/v1/completions", StreamClient.completion(prompt, 200), null, false);
            assertThat(reference.completed()).as("reference for %s: %s", prompt, reference).isTrue();
            REFERENCE.put(prompt, reference.text());
        }
    }

    @AfterAll
    static void stopSuite() {
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    @Order(1)
    void drafterKilledMidGenerationEveryRequestCompletesIdenticallyAndTheRestartedDrafterIsUsedAgain() throws Exception {
        CountDownLatch started = new CountDownLatch(PROMPTS.size());
        List<CompletableFuture<StreamClient.Outcome>> streams = PROMPTS.stream().map(prompt -> CompletableFuture.supplyAsync(
                () -> client.stream("/v1/completions", StreamClient.completion(prompt, 200), started, false))).toList();
        assertThat(started.await(60, TimeUnit.SECONDS)).as("every stream started").isTrue();
        suite.service(SeparateJvmSuite.DRAFTER).kill();
        long killedAt = System.nanoTime();
        List<StreamClient.Outcome> outcomes = streams.stream().map(CompletableFuture::join).toList();
        double longest = outcomes.stream().mapToDouble(StreamClient.Outcome::seconds).max().orElse(0);
        for (int i = 0; i < PROMPTS.size(); i++) {
            assertThat(outcomes.get(i).completed()).as("%s: %s", PROMPTS.get(i), outcomes.get(i)).isTrue();
            assertThat(outcomes.get(i).text()).as(PROMPTS.get(i)).isEqualTo(REFERENCE.get(PROMPTS.get(i)));
        }
        double afterKill = (System.nanoTime() - killedAt) / 1e9;

        ServiceProcess drafter = suite.service(SeparateJvmSuite.DRAFTER).start().awaitUp("/actuator/health", Duration.ofSeconds(120));
        long restartedAt = System.nanoTime();
        String drafted = "speculum_spec_decode_drafter_draft_tokens_total";
        double before = suite.service(SeparateJvmSuite.VERIFIER).metric(drafted);
        assertThat(before).as("the verifier's %s", drafted).isNotNaN().isPositive();
        double reusedAfter = -1;
        while (System.nanoTime() - restartedAt < Duration.ofSeconds(90).toNanos()) {
            StreamClient.Outcome again = client.stream("/v1/completions", StreamClient.completion(PROMPTS.getFirst(), 200), null, false);
            assertThat(again.text()).isEqualTo(REFERENCE.get(PROMPTS.getFirst()));
            if (suite.service(SeparateJvmSuite.VERIFIER).metric(drafted) > before) {
                reusedAfter = (System.nanoTime() - restartedAt) / 1e9;
                break;
            }
        }
        assertThat(reusedAfter).as("the restarted drafter (pid %d) drafts again", drafter.pid()).isPositive();
        figure("kill -9 drafter mid-generation", "%d streams, all completed, greedy text identical to the unfaulted run: %d/%d; "
                + "streams ended %.1f s after the kill (longest stream %.1f s); restarted drafter drafting again %.1f s after it was up",
                PROMPTS.size(), PROMPTS.size(), PROMPTS.size(), afterKill, longest, reusedAfter);
    }

    @Test
    @Order(2)
    void gatewayKilledMidStreamTheVerifierFreesItsSessions() throws Exception {
        CountDownLatch started = new CountDownLatch(4);
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        for (String prompt : PROMPTS.subList(0, 4)) {
            clients.submit(() -> client.stream("/v1/completions", StreamClient.completion(prompt, 500), started, false));
        }
        assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
        ServiceProcess verifier = suite.service(SeparateJvmSuite.VERIFIER);
        double activeAtKill = verifier.metric("speculum_verifier_sessions_active");
        suite.service(SeparateJvmSuite.GATEWAY).kill();
        long killedAt = System.nanoTime();
        double freedAfter = -1;
        while (System.nanoTime() - killedAt < Duration.ofSeconds(70).toNanos()) {
            if (verifier.metric("speculum_verifier_sessions_active") == 0 && verifier.metric("speculum_verifier_sessions_waiting") == 0) {
                freedAfter = (System.nanoTime() - killedAt) / 1e9;
                break;
            }
            Thread.sleep(100);
        }
        clients.shutdownNow();
        // within the requests' deadline (the gateway's 60 s time limit travels with them)
        assertThat(freedAfter).as("sessions freed").isBetween(0.0, 60.0);
        suite.service(SeparateJvmSuite.GATEWAY).start().awaitUp("/actuator/health/readiness", Duration.ofSeconds(120));
        // clients reconnect: the old client's pooled connections went with the killed gateway
        client = new StreamClient(suite.api(), KEY);
        assertThat(client.stream("/v1/completions", StreamClient.completion(PROMPTS.get(1), 200), null, false).text())
                .isEqualTo(REFERENCE.get(PROMPTS.get(1)));
        figure("kill -9 gateway mid-stream", "4 streams of up to 500 tokens; verifier sessions active at the kill: %.0f; all sessions "
                + "freed %.1f s after the kill (gauge speculum_verifier_sessions_active = 0); restarted gateway serves again", activeAtKill, freedAfter);
    }

    @Test
    @Order(3)
    void poisonRecordsAreDeadLetteredQuicklyAndAnsweredWhereTheyCanBe() throws Exception {
        String replies = "poison-replies";
        Map<String, String> poison = new java.util.LinkedHashMap<>();
        for (String topic : List.of("llm.generate", "llm.small-generate", "llm.draft")) {
            String id = topic.replace("llm.", "") + "-";
            poison.put(topic + "|" + id + "json", "{\"requestId\":\"" + id + "json\",");
            poison.put(topic + "|" + id + "types", "{\"type\":\"generate\",\"requestId\":\"" + id + "types\",\"replyTopic\":\"" + replies
                    + "\",\"prompt\":\"Once\",\"maxTokens\":\"many\"}");
            poison.put(topic + "|" + id + "unknown", "{\"type\":\"teleport\",\"requestId\":\"" + id + "unknown\",\"replyTopic\":\""
                    + replies + "\"}");
        }
        // proposals carry no type: a wrong type inside, or not an object at all
        poison.put("llm.verify|verify-json", "{\"state\":{\"requestId\":");
        poison.put("llm.verify|verify-types", "{\"state\":{\"requestId\":\"verify-types\",\"round\":\"one\"},\"tokens\":\"many\"}");
        poison.put("llm.verify|verify-array", "[1,2,3]");
        Map<String, Long> sentAt = new HashMap<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", suite.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
             KafkaConsumer<String, String> deadLetters = consumer("llm.dead-letter")) {
            deadLetters.poll(Duration.ofMillis(500));
            // readable but invalid: a prompt of token ids outside the vocabulary gets its error event, no dead letter
            producer.send(new ProducerRecord<>("llm.generate", "invalid-ids", "{\"type\":\"generate\",\"requestId\":\"invalid-ids\","
                    + "\"replyTopic\":\"" + replies + "\",\"promptTokens\":[1,99999999],\"maxTokens\":4}")).get();
            for (var entry : poison.entrySet()) {
                String[] topicAndKey = entry.getKey().split("\\|");
                sentAt.put(topicAndKey[1], System.nanoTime());
                producer.send(new ProducerRecord<>(topicAndKey[0], topicAndKey[1], entry.getValue())).get();
            }
            Map<String, Double> seconds = new HashMap<>();
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seconds.size() < poison.size() && System.nanoTime() < end) {
                for (ConsumerRecord<String, String> record : deadLetters.poll(Duration.ofMillis(100))) {
                    Long sent = sentAt.get(record.key());
                    if (sent != null) {
                        seconds.putIfAbsent(record.key(), (System.nanoTime() - sent) / 1e9);
                    }
                    assertThat(record.key()).as("a readable request is never dead-lettered").isNotEqualTo("invalid-ids");
                }
            }
            assertThat(seconds.keySet()).as("dead-lettered").containsExactlyInAnyOrderElementsOf(sentAt.keySet());
            double slowest = seconds.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            Map<String, JsonNode> answers = new HashMap<>();
            try (KafkaConsumer<String, String> answered = consumer(replies)) {
                long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (answers.size() < 5 && System.nanoTime() < until) {
                    answered.poll(Duration.ofMillis(200)).forEach(r -> answers.put(r.key(), StreamClient.JSON.readTree(r.value())));
                }
            }
            // the generation topics' unreadable requests that name a reply topic are answered; drafts and proposals have none
            for (String id : List.of("generate-types", "generate-unknown", "small-generate-types", "small-generate-unknown", "invalid-ids")) {
                assertThat(answers.get(id)).as(id).isNotNull();
                assertThat(answers.get(id).path("code").asString()).as(id).isEqualTo("INVALID_REQUEST");
            }
            assertThat(client.stream("/v1/completions", StreamClient.completion(PROMPTS.get(2), 200), null, false).text())
                    .as("the consumers went on").isEqualTo(REFERENCE.get(PROMPTS.get(2)));
            assertThat(slowest).as("slowest dead letter (s)").isLessThan(5.0);
            figure("poison records", "%d unreadable records on llm.generate, llm.small-generate, llm.draft, llm.verify (malformed JSON, "
                    + "wrong types, unknown type): all dead-lettered, slowest after %.2f s (median %.2f s); the 4 on the generation topics "
                    + "that name a reply topic answered INVALID_REQUEST; a readable request with out-of-vocabulary ids answered "
                    + "INVALID_REQUEST and not dead-lettered; the services went on", poison.size(), slowest,
                    seconds.values().stream().sorted().toList().get(seconds.size() / 2));
        }
    }

    @Test
    @Order(4)
    void overloadTheExcessGetsAnImmediate503WithRetryAfter() throws Exception {
        int streams = 128;
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        List<CompletableFuture<StreamClient.Outcome>> outcomes = IntStream.range(0, streams).mapToObj(i -> CompletableFuture.supplyAsync(
                () -> client.stream("/v1/completions", StreamClient.completion(PROMPTS.get(i % PROMPTS.size()), 200), null, false), clients))
                .toList();
        List<StreamClient.Outcome> all = outcomes.stream().map(CompletableFuture::join).toList();
        clients.shutdown();
        List<StreamClient.Outcome> refused = all.stream().filter(o -> o.status() == 503).toList();
        List<StreamClient.Outcome> served = all.stream().filter(o -> o.status() == 200).toList();
        assertThat(served.size() + refused.size()).as("every request served or refused: %s", all.stream()
                .filter(o -> o.status() != 200 && o.status() != 503).toList()).isEqualTo(streams);
        assertThat(refused).as("the excess over the 64-call bulkhead").isNotEmpty().allSatisfy(o -> {
            assertThat(o.errorCode()).isEqualTo("overloaded");
            assertThat(o.retryAfter()).isNotBlank();
            assertThat(o.seconds()).as("refused at once").isLessThan(2.0);
        });
        assertThat(served).allSatisfy(o -> assertThat(o.completed()).isTrue());
        for (int i = 0; i < streams; i++) {
            if (all.get(i).status() == 200) {
                assertThat(all.get(i).text()).isEqualTo(REFERENCE.get(PROMPTS.get(i % PROMPTS.size())));
            }
        }
        assertThat(client.stream("/v1/completions", StreamClient.completion(PROMPTS.get(3), 200), null, false).completed()).isTrue();
        figure("overload", "%d concurrent streams against the 64-call bulkhead: %d served (all completed, greedy text identical), %d refused "
                + "503 overloaded with Retry-After, slowest refusal %.2f s; none timed out; normal service afterwards", streams, served.size(),
                refused.size(), refused.stream().mapToDouble(StreamClient.Outcome::seconds).max().orElse(0));
    }

    @Test
    @Order(5)
    void soakMixedStreamsLoseNothingAndStayFlat() throws Exception {
        AtomicInteger completions = new AtomicInteger();
        AtomicInteger chats = new AtomicInteger();
        AtomicInteger cancels = new AtomicInteger();
        AtomicInteger overloaded = new AtomicInteger();
        AtomicLong characters = new AtomicLong();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<String, String> chatReference = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long warm = start + SOAK.toNanos() / 4;
        long end = start + SOAK.toNanos();
        Map<String, long[]> atWarm = new ConcurrentHashMap<>();
        ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int w = 0; w < SOAK_STREAMS; w++) {
            running.add(CompletableFuture.runAsync(() -> {
                while (System.nanoTime() < end) {
                    String prompt = PROMPTS.get(ThreadLocalRandom.current().nextInt(PROMPTS.size()));
                    int kind = ThreadLocalRandom.current().nextInt(10);
                    StreamClient.Outcome outcome;
                    if (kind < 5) {
                        outcome = client.stream("/v1/completions", StreamClient.completion(prompt, 200), null, false);
                        if (outcome.completed() && !outcome.text().equals(REFERENCE.get(prompt))) {
                            failures.add("completion differs for " + prompt);
                        }
                        count(outcome, completions, overloaded, failures, characters);
                    } else if (kind < 8) {
                        outcome = client.stream("/v1/chat/completions", StreamClient.chat(prompt, 64), null, false);
                        if (outcome.completed() && !chatReference.computeIfAbsent(prompt, p -> outcome.text()).equals(outcome.text())) {
                            failures.add("chat differs for " + prompt);
                        }
                        count(outcome, chats, overloaded, failures, characters);
                    } else {
                        outcome = client.stream("/v1/completions", StreamClient.completion(prompt, 400), null, true);
                        if (outcome.status() == 503) {
                            overloaded.incrementAndGet();
                        } else if (!"client-cancelled".equals(outcome.finishReason())) {
                            failures.add("cancel: " + outcome);
                        } else {
                            cancels.incrementAndGet();
                        }
                    }
                    if (System.nanoTime() > warm && atWarm.isEmpty()) {
                        synchronized (atWarm) {
                            if (atWarm.isEmpty()) {
                                for (String name : List.of(SeparateJvmSuite.VERIFIER, SeparateJvmSuite.DRAFTER, SeparateJvmSuite.GATEWAY)) {
                                    atWarm.put(name, suite.service(name).residentKbAndThreads());
                                }
                            }
                        }
                    }
                }
            }, workers));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(SOAK.toSeconds() + 180, TimeUnit.SECONDS);
        workers.shutdown();
        Thread.sleep(2000); // cancelled generations wind down
        StringBuilder growth = new StringBuilder();
        for (String name : List.of(SeparateJvmSuite.VERIFIER, SeparateJvmSuite.DRAFTER, SeparateJvmSuite.GATEWAY)) {
            long[] before = atWarm.get(name);
            long[] after = suite.service(name).residentKbAndThreads();
            double rss = 100.0 * (after[0] - before[0]) / before[0];
            double threads = 100.0 * (after[1] - before[1]) / before[1];
            growth.append("%s RSS %d→%d MB (%+.1f%%), threads %d→%d (%+.1f%%); ".formatted(name, before[0] / 1024, after[0] / 1024, rss,
                    before[1], after[1], threads));
            assertThat(threads).as("%s thread growth after warm-up", name).isLessThan(10.0);
            assertThat(rss).as("%s resident memory growth after warm-up", name).isLessThan(10.0);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        figure("soak", "%d concurrent streams for %.0f s (completions 50%%, chats 30%%, client cancels 20%%): %d completions and %d chats "
                + "completed (%d characters streamed), %d cancels, %d refused 503 overloaded (retry), %d failures "
                + "(lost, duplicated or different text, errors, hangs); %s", SOAK_STREAMS, seconds, completions.get(), chats.get(),
                characters.get(), cancels.get(), overloaded.get(), failures.size(), growth);
        assertThat(failures).isEmpty();
        assertThat(completions.get() + chats.get()).isPositive();
        assertThat(suite.service(SeparateJvmSuite.VERIFIER).metric("speculum_verifier_sessions_active")).isZero();
    }

    private static void count(StreamClient.Outcome outcome, AtomicInteger ok, AtomicInteger overloaded, List<String> failures, AtomicLong characters) {
        if (outcome.completed()) {
            ok.incrementAndGet();
            characters.addAndGet(outcome.text().length());
        } else if (outcome.status() == 503 && "overloaded".equals(outcome.errorCode())) {
            overloaded.incrementAndGet();
        } else {
            failures.add(outcome.toString());
        }
    }

    private static KafkaConsumer<String, String> consumer(String topic) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", suite.bootstrapServers(),
                "group.id", "harness-" + java.util.UUID.randomUUID(), "auto.offset.reset", "earliest"),
                new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private static void figure(String scenario, String format, Object... args) throws Exception {
        String line = "- **" + scenario + "**: " + format.formatted(args) + "\n";
        System.out.print("RELIABILITY " + line);
        Files.writeString(FIGURES, line, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
    }
}
