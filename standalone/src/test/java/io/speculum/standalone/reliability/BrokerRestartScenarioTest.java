package io.speculum.standalone.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The broker goes away while streams are in flight: the suite as separate JVMs ({@link SeparateJvmSuite}) against a
 * broker that is a process of its own ({@link KafkaBrokerProcess}), which is killed ({@code kill -9}) once and stopped
 * cleanly once, and started again on the same port and storage. Checked: every stream in flight, and one sent while
 * the broker is away, ends before its deadline, completed with the unfaulted run's text or with a clear error (nothing
 * hangs, no connection is cut); a stream that gets no event ends with its error while the broker is still away; the
 * services reconnect by themselves (none is restarted), free the sessions, and serve new requests afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerRestartScenarioTest {

    private static final String KEY = "broker-restart-key";
    private static final List<String> PROMPTS = List.of("Once upon a time", "The little dog", "Lily and Tom went to the park",
            "One day, a big bear");
    private static final int MAX_TOKENS = 200;
    /** The gateway's stream idle time-out, shortened from 30 s so that a CI-sized outage outlasts it. */
    private static final Duration IDLE = Duration.ofSeconds(6);
    /** The request deadline the gateway gives the verifier (its 60 s time limit), and a margin for the last event. */
    private static final Duration DEADLINE = Duration.ofSeconds(65);
    private static final Path FIGURES = Path.of("target", "reliability", "figures.md");

    private static KafkaBrokerProcess broker;
    private static SeparateJvmSuite suite;
    private static final Map<String, String> REFERENCE = new ConcurrentHashMap<>();

    /** A stream's outcome and when it ended. */
    private record Ended(StreamClient.Outcome outcome, long atNanos) {
    }

    @BeforeAll
    static void startSuite() {
        Path dir = Path.of("target", "reliability", "broker-restart");
        broker = KafkaBrokerProcess.format(dir.resolve("broker-" + UUID.randomUUID())).start(Duration.ofSeconds(120));
        Map<String, String> fastGroups = Map.of("spring.kafka.consumer.properties.session.timeout.ms", "6000",
                "spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");
        suite = SeparateJvmSuite.startAgainst(broker.bootstrapServers(), dir.resolve("logs"), KEY, Map.of(
                SeparateJvmSuite.DRAFTER, fastGroups, SeparateJvmSuite.VERIFIER, fastGroups,
                SeparateJvmSuite.GATEWAY, Map.of("speculum.gateway.stream-idle-timeout", IDLE.toSeconds() + "s")));
        StreamClient client = new StreamClient(suite.api(), KEY);
        for (String prompt : PROMPTS) {
            StreamClient.Outcome reference = client.stream("/v1/completions", StreamClient.completion(prompt, MAX_TOKENS), null, false);
            assertThat(reference.completed()).as("reference for %s: %s", prompt, reference).isTrue();
            REFERENCE.put(prompt, reference.text());
        }
    }

    @AfterAll
    static void stopSuite() {
        if (suite != null) {
            suite.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Away longer than the idle time-out: the streams end with their error while the broker is still down. */
    @Test
    @Order(1)
    void brokerKilledMidStreamEveryStreamEndsAndTheServicesServeAgain() throws Exception {
        restartMidStream("broker kill -9 mid-stream", KafkaBrokerProcess::kill, IDLE.plusSeconds(4));
    }

    /** Away briefly: the streams may go on where they were once it is back. */
    @Test
    @Order(2)
    void brokerStoppedCleanlyMidStreamEveryStreamEndsAndTheServicesServeAgain() throws Exception {
        restartMidStream("broker clean stop mid-stream", KafkaBrokerProcess::stopCleanly, Duration.ofSeconds(1));
    }

    private void restartMidStream(String scenario, Consumer<KafkaBrokerProcess> stop, Duration down) throws Exception {
        StreamClient client = new StreamClient(suite.api(), KEY);
        CountDownLatch started = new CountDownLatch(PROMPTS.size());
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        List<CompletableFuture<Ended>> streams = PROMPTS.stream().map(prompt -> stream(client, prompt, started, clients)).toList();
        assertThat(started.await(60, TimeUnit.SECONDS)).as("every stream started").isTrue();
        long stopping = System.nanoTime();
        stop.accept(broker);
        long stoppedAt = System.nanoTime();
        CompletableFuture<Ended> sentWhileAway = stream(client, PROMPTS.get(1), null, clients);
        Thread.sleep(down.toMillis());
        broker.start(Duration.ofSeconds(120));
        long upAt = System.nanoTime();

        List<String> prompts = new ArrayList<>(PROMPTS);
        prompts.add(PROMPTS.get(1));
        List<CompletableFuture<Ended>> all = new ArrayList<>(streams);
        all.add(sentWhileAway);
        List<Ended> ended = all.stream().map(CompletableFuture::join).toList();
        clients.shutdown();
        assertThat(ended.subList(0, PROMPTS.size())).as("streams in flight when the broker was stopped").anyMatch(e -> e.atNanos() > stopping);
        int identical = 0;
        double lastErrorAfterStop = 0;
        for (int i = 0; i < ended.size(); i++) {
            StreamClient.Outcome outcome = ended.get(i).outcome();
            String what = i < PROMPTS.size() ? "in-flight stream " + prompts.get(i) : "the request sent while the broker was away";
            assertThat(outcome.seconds()).as("%s ended before its deadline: %s", what, outcome).isLessThan(DEADLINE.toSeconds());
            if (outcome.completed()) {
                assertThat(outcome.text()).as("%s completed with the unfaulted text", what).isEqualTo(REFERENCE.get(prompts.get(i)));
                identical++;
                continue;
            }
            // not hung (-2), not a cut connection (-1): an error chunk in the stream, or an HTTP error with its code
            assertThat(outcome.status()).as("%s: %s", what, outcome).isIn(200, 503);
            assertThat(outcome.errorCode()).as("%s ended with a clear error: %s", what, outcome).isNotBlank();
            if (i < PROMPTS.size()) {
                double afterStop = (ended.get(i).atNanos() - stoppedAt) / 1e9;
                lastErrorAfterStop = Math.max(lastErrorAfterStop, afterStop);
                if (upAt - stoppedAt > IDLE.plusSeconds(3).toNanos()) {
                    // its last event came before the stop: the idle time-out ends it, the broker's return is not waited for
                    assertThat(ended.get(i).atNanos()).as("%s ended (%.1f s after the stop) before the broker was back (%.1f s)", what,
                            afterStop, (upAt - stoppedAt) / 1e9).isLessThan(upAt);
                }
            }
        }
        String errors = ended.stream().map(Ended::outcome).filter(o -> !o.completed()).map(StreamClient.Outcome::errorCode)
                .collect(Collectors.groupingBy(code -> code, TreeMap::new, Collectors.counting())).toString();

        // the services reconnect by themselves: none was restarted, and a new request is served
        double servedAfter = -1;
        int refusedMeanwhile = 0;
        while (System.nanoTime() - upAt < Duration.ofSeconds(90).toNanos()) {
            StreamClient.Outcome again = client.stream("/v1/completions", StreamClient.completion(PROMPTS.getFirst(), MAX_TOKENS), null, false);
            if (again.completed()) {
                assertThat(again.text()).isEqualTo(REFERENCE.get(PROMPTS.getFirst()));
                servedAfter = (System.nanoTime() - upAt) / 1e9;
                break;
            }
            assertThat(again.errorCode()).as("a refusal while the suite recovers is a clear error: %s", again).isNotBlank();
            assertThat(again.seconds()).as("answered before its deadline: %s", again).isLessThan(DEADLINE.toSeconds());
            refusedMeanwhile++;
            Thread.sleep(500);
        }
        assertThat(servedAfter).as("a new request is served after the broker is back").isPositive();
        for (String name : List.of(SeparateJvmSuite.VERIFIER, SeparateJvmSuite.DRAFTER, SeparateJvmSuite.GATEWAY)) {
            assertThat(suite.service(name).alive()).as("%s still runs", name).isTrue();
        }
        ServiceProcess verifier = suite.service(SeparateJvmSuite.VERIFIER);
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (verifier.metric("speculum_verifier_sessions_active") != 0 && System.nanoTime() < until) {
            Thread.sleep(200);
        }
        assertThat(verifier.metric("speculum_verifier_sessions_active")).as("the verifier's sessions freed").isZero();
        figure(scenario, "%d streams of %d tokens in flight and 1 sent while the broker was away (%.1f s); %d completed with the "
                + "unfaulted text, %d ended with a clear error %s%s; longest %.1f s; a new request served %.1f s after the broker was "
                + "back (%d refused meanwhile); the verifier's sessions freed; no service restarted", PROMPTS.size(), MAX_TOKENS,
                (upAt - stoppedAt) / 1e9, identical, ended.size() - identical, errors,
                lastErrorAfterStop > 0 ? " (in-flight ones at most %.1f s after the stop, idle time-out %d s)".formatted(lastErrorAfterStop,
                        IDLE.toSeconds()) : "",
                ended.stream().mapToDouble(e -> e.outcome().seconds()).max().orElse(0), servedAfter, refusedMeanwhile);
    }

    private static CompletableFuture<Ended> stream(StreamClient client, String prompt, CountDownLatch started, ExecutorService clients) {
        return CompletableFuture.supplyAsync(() -> new Ended(client.stream("/v1/completions",
                StreamClient.completion(prompt, MAX_TOKENS), started, false), System.nanoTime()), clients);
    }

    private static void figure(String scenario, String format, Object... args) throws Exception {
        String line = "- **" + scenario + "**: " + format.formatted(args) + "\n";
        System.out.print("RELIABILITY " + line);
        Files.createDirectories(FIGURES.getParent());
        Files.writeString(FIGURES, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
