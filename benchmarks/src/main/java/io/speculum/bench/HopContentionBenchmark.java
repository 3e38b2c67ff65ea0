package io.speculum.bench;

import io.speculum.llama.CostPadder;
import io.speculum.llama.CostPadding;
import io.speculum.llama.Model;
import io.speculum.llama.PaddedTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Is the draft hop slow because of Kafka or because the machine is busy? The bare Kafka ping-pong between the
 * verifier's JVM (which also hosts the broker here, as in the serving benchmark) and the drafter's JVM, measured
 * idle and while the verifier's JVM decodes the padded target without pause (as it does between draft hops), with
 * the same compute threads the serving benchmark gives the verifier.
 */
public final class HopContentionBenchmark {

    public static void main(String[] args) throws Exception {
        BenchSettings settings = BenchSettings.fromSystemProperties();
        Path shared = Path.of(System.getProperty("speculum.shared.dir", "../shared"));
        Path stories = shared.resolve("models/stories260K.gguf");
        List<String> prompts = Prompts.first(shared.resolve("data/tinystories/prompts-a.jsonl"), 20);
        Path work = Files.createTempDirectory("speculum-bench");
        int rounds = 500;
        int payload = 600;
        System.out.printf("%nSpeculum hop contention benchmark, %s, %d cores, %d compute thread(s)%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), settings.threads());
        int[] shape = settings.padded();
        PaddedTarget padded = new CostPadder().pad(new CostPadding(stories, work.resolve("padded.gguf"), shape[0], shape[1], shape[2]));
        try (BenchModels models = new BenchModels(stories, work);
             Model target = Model.load(padded.file());
             KafkaSpeculation kafka = new KafkaSpeculation(padded.file(), models.derivedFile(BenchDrafters.WALL_CLOCK_FORMAT, 0),
                     BenchDrafters.WALL_CLOCK.name(), 1, 64, settings.threads(), settings.draftTimeout(), work)) {
            kafka.pingPong(1000, payload); // warm-up: JIT, connections, group membership
            System.out.printf("%nKafka ping-pong, verifier's JVM <-> drafter's JVM, %d B, %d rounds each, after 1000 unmeasured, ms%n",
                    payload, rounds);
            System.out.printf("  %-52s %8s %8s %8s%n", "condition", "p50", "p90", "p99");
            // the hop's pattern: one exchange per round, after a pause or right after a decode in the pinging thread
            try (TargetAlone alone = new TargetAlone(target, settings.threads())) {
                for (int repeat = 0; repeat < 2; repeat++) {
                    print("back to back", kafka.pingPong(rounds / 5, payload));
                    print("back to back, the services' Spring Kafka beans", kafka.springPingPong(rounds / 5, payload, () -> { }));
                    print("100 ms pause, the services' Spring Kafka beans", kafka.springPingPong(rounds / 5, payload, () -> pause(100)));
                    print("the same, a reply event sent just before each ping", kafka.springPingPong(rounds / 5, payload, () -> pause(100), true));
                    print("100 ms pause before each ping", kafka.pingPong(rounds / 5, payload, () -> pause(100)));
                    int[] next = {0};
                    print("a decode (4 tokens) before each ping, same thread", kafka.pingPong(rounds / 5, payload,
                            () -> alone.generate("before", prompts.get(next[0]++ % prompts.size()), 4)));
                }
            }
            for (int repeat = 0; repeat < Integer.getInteger("bench.contention.repeats", 2); repeat++) {
                print("idle", kafka.pingPong(rounds, payload));
                AtomicBoolean stop = new AtomicBoolean();
                Thread load = Thread.ofPlatform().name("decode-load").start(() -> {
                    try (TargetAlone alone = new TargetAlone(target, settings.threads())) {
                        for (int i = 0; !stop.get(); i++) {
                            alone.generate("load", prompts.get(i % prompts.size()), 32);
                        }
                    }
                });
                Thread.sleep(2000);
                print("verifier's JVM decoding the padded target meanwhile", kafka.pingPong(rounds, payload));
                // the other core busy too, as when the drafter drafts while the verifier decodes (pipelining)
                Thread spinner = Thread.ofPlatform().name("other-core").start(() -> {
                    double x = 1;
                    while (!stop.get()) {
                        x = Math.sin(x) + 1.0000001;
                    }
                    if (x == 42) {
                        System.out.print("");
                    }
                });
                Thread.sleep(500);
                print("decoding, and the other core busy", kafka.pingPong(rounds, payload));
                stop.set(true);
                load.join();
                spinner.join();
            }
        } finally {
            Files.deleteIfExists(padded.file());
        }
        System.out.flush();
        System.exit(0);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void print(String condition, double[] millis) {
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        System.out.printf("  %-52s %8.2f %8.2f %8.2f%n", condition, sorted[sorted.length / 2], sorted[sorted.length * 9 / 10],
                sorted[sorted.length * 99 / 100]);
    }
}
