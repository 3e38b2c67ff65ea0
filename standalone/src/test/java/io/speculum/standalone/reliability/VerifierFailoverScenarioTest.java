package io.speculum.standalone.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the verifier serving streams, with a second verifier replica in the same consumer group ({@link
 * SeparateJvmSuite} with two verifiers, drafter and gateway as separate JVMs on one broker). The gateway sends each
 * generation that falls silent again with the tokens its client has; once the group has rebalanced, the surviving
 * replica prefills them and goes on. Greedy streams (model drafter) and seeded sampled streams (point-mass n-gram
 * drafter) must end with exactly the text of the unfaulted run; the gap from the kill to each stream's next text is
 * measured and written to {@code target/reliability/figures-failover.md}.
 */
class VerifierFailoverScenarioTest {

    private static final String KEY = "failover-key";
    /** Its own file: {@link FaultAndLoadScenariosTest} starts figures.md afresh, whichever class runs first. */
    private static final Path FIGURES = Path.of("target", "reliability", "figures-failover.md");
    private static final int TOKENS = 256;
    /** The verifiers' consumer session: a dead replica leaves the group after this. */
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
    private static final Duration RESUME_AFTER = Duration.ofSeconds(2);
    private static final List<String> PROMPTS = List.of("Once upon a time", "The little dog", "Lily and Tom went to the park",
            "One day, a big bear", "The sun was hot and", "Sam had a red ball");

    private static SeparateJvmSuite suite;
    private static StreamClient client;

    @BeforeAll
    static void startSuite() throws Exception {
        Files.createDirectories(FIGURES.getParent());
        Map<String, String> fastGroups = Map.of("spring.kafka.consumer.properties.session.timeout.ms", String.valueOf(SESSION_TIMEOUT.toMillis()),
                "spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");
        Map<String, String> verifier = new java.util.HashMap<>(fastGroups);
        verifier.put("speculum.verifier.deterministic", "true");
        suite = SeparateJvmSuite.start(Path.of("target", "reliability", "failover-logs"), KEY, Map.of(
                SeparateJvmSuite.VERIFIER, verifier, SeparateJvmSuite.DRAFTER, fastGroups,
                SeparateJvmSuite.GATEWAY, Map.of("speculum.gateway.resume-after", RESUME_AFTER.toMillis() + "ms",
                        "speculum.gateway.drafters", "model,ngram")), 2);
        client = new StreamClient(suite.api(), KEY);
    }

    @AfterAll
    static void stopSuite() {
        if (suite != null) {
            suite.close();
        }
    }

    /** Greedy with the model drafter for even i, seeded sampled with the n-gram drafter (point masses) for odd i. */
    private static String body(int i) {
        var body = StreamClient.JSON.createObjectNode().put("model", "stories260K").put("prompt", PROMPTS.get(i))
                .put("max_tokens", TOKENS).put("stream", true);
        if (i % 2 == 0) {
            body.put("temperature", 0);
        } else {
            body.put("temperature", 0.8).put("top_p", 0.95).put("seed", 1000 + i);
            body.putObject("speculum").putObject("speculation").put("drafter", "ngram");
        }
        return body.toString();
    }

    @Test
    void theVerifierServingStreamsIsKilledAndEveryStreamEndsExactlyAsUnfaulted() throws Exception {
        List<String> reference = new ArrayList<>();
        for (int i = 0; i < PROMPTS.size(); i++) {
            StreamClient.Outcome unfaulted = client.stream("/v1/completions", body(i), null, false);
            assertThat(unfaulted.completed()).as("reference %d: %s", i, unfaulted).isTrue();
            reference.add(unfaulted.text());
        }

        AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
        long startedAt = System.nanoTime();
        List<ConcurrentLinkedQueue<Long>> arrivals = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(PROMPTS.size());
        List<CompletableFuture<StreamClient.Outcome>> streams = new ArrayList<>();
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        for (int i = 0; i < PROMPTS.size(); i++) {
            int stream = i;
            ConcurrentLinkedQueue<Long> times = new ConcurrentLinkedQueue<>();
            arrivals.add(times);
            // a thread each (the common pool has one thread on two cores: its streams would run one after another)
            streams.add(CompletableFuture.supplyAsync(() -> client.stream("/v1/completions", body(stream), started, false, times::add),
                    clients));
        }
        // mid-stream: once every stream has text, a little later (generations take a few seconds here), the replica
        // serving more of them
        assertThat(started.await(60, TimeUnit.SECONDS)).as("every stream started").isTrue();
        Thread.sleep(300);
        Map<ServiceProcess, Double> sessions = suite.verifiers().stream()
                .collect(java.util.stream.Collectors.toMap(v -> v, v -> v.metric("speculum_verifier_sessions_active")));
        ServiceProcess victim = sessions.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElseThrow();
        double servedByVictim = sessions.getOrDefault(victim, 0.0);
        assertThat(servedByVictim).as("sessions on %s at the kill", victim.name()).isPositive();
        victim.kill();
        killedAt.set(System.nanoTime());

        List<StreamClient.Outcome> outcomes = streams.stream().map(CompletableFuture::join).toList();
        clients.shutdown();
        List<Double> gaps = new ArrayList<>();
        int moved = 0;
        for (int i = 0; i < PROMPTS.size(); i++) {
            StreamClient.Outcome outcome = outcomes.get(i);
            assertThat(outcome.completed()).as("stream %d: %s", i, outcome).isTrue();
            assertThat(outcome.text()).as("stream %d (%s) equals the unfaulted run", i, i % 2 == 0 ? "greedy" : "seeded sampled")
                    .isEqualTo(reference.get(i));
            long next = arrivals.get(i).stream().filter(t -> t >= killedAt.get()).findFirst().orElse(-1L);
            if (next > 0) {
                double gap = (next - killedAt.get()) / 1e9;
                gaps.add(gap);
                moved += gap > RESUME_AFTER.toSeconds() ? 1 : 0;
            }
        }
        double resends = suite.service(SeparateJvmSuite.GATEWAY).metric("speculum_gateway_generation_resends_total");
        assertThat(resends).as("generations the gateway sent again").isPositive();
        assertThat(moved).as("streams that went on at the surviving replica after a silence").isPositive();
        double longest = gaps.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        // the rebalance (the session timeout, then the group's join) plus a prefill round, with room for a loaded machine
        assertThat(longest).as("longest gap from the kill to the next text (s)").isLessThan(SESSION_TIMEOUT.toSeconds() + 10.0);
        List<Double> sorted = gaps.stream().sorted().toList();
        System.out.println("FAILOVER streams (characters, seconds): " + outcomes.stream()
                .map(o -> o.text().length() + " chars " + String.format("%.1f s", o.seconds())).toList()
                + "; killed " + String.format("%.1f s", (killedAt.get() - startedAt) / 1e9) + " after they were sent");
        figure("kill -9 verifier mid-stream (2 replicas)", "%d streams of up to %d tokens (3 greedy with the model drafter, 3 seeded "
                + "sampled at temperature 0.8 with the n-gram drafter), %.0f on the killed replica at the kill: all completed, text "
                + "identical to the unfaulted run: %d/%d; gap from the kill to each stream's next text %s s (%d streams went on at the "
                + "surviving replica after a silence, longest %.1f s; consumer session timeout %d s, resume-after %d s); the gateway "
                + "sent %.0f generations again", PROMPTS.size(), TOKENS, servedByVictim, PROMPTS.size(), PROMPTS.size(),
                sorted.stream().map(g -> String.format("%.1f", g)).toList(), moved, longest, SESSION_TIMEOUT.toSeconds(),
                RESUME_AFTER.toSeconds(), resends);
    }

    private static void figure(String scenario, String format, Object... args) throws Exception {
        String line = "- **" + scenario + "**: " + format.formatted(args) + "\n";
        System.out.print("RELIABILITY " + line);
        Files.writeString(FIGURES, line, StandardCharsets.UTF_8);
    }
}
