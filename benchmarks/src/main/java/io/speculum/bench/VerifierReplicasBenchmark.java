package io.speculum.bench;

import io.speculum.math.SamplingParams;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.SpeculationPolicy;
import io.speculum.protocol.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Scale-out on one broker: 1, 2 and 3 verifier-service replicas, each its own JVM ({@code java -jar} of the exec jar,
 * as a container runs it), sharing {@code llm.generate} through one consumer group. A burst of greedy requests is
 * sent for each replica count (tokens/s side by side); then, while requests stream in, one replica leaves and one
 * joins (each a rebalance), and every output is compared token for token with the one-replica run.
 *
 * <p>Speculation is off so that only the verifier scales (no drafter in the measurement). On a 2-core machine the
 * replicas share the cores: the lead's figures come from a quieter, larger machine. Counts: BENCH_REQUESTS,
 * BENCH_TOKENS, BENCH_REPLICAS, BENCH_PARTITIONS (environment) or the same names as -Dbench.* properties.
 */
public final class VerifierReplicasBenchmark {

    private static final String REPLIES = "bench-replicas-replies";
    private static final String GROUP = "speculum-verifier";
    private static final int PARTITIONS = setting("bench.partitions", 6);
    private static final int REQUESTS = setting("bench.requests", 24);
    private static final int TOKENS = setting("bench.tokens", 48);
    private static final int MAX_REPLICAS = setting("bench.replicas", 3);

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(System.getProperty("speculum.shared.dir", "../shared"));
        Path model = shared.resolve("models/stories260K.gguf").toAbsolutePath();
        List<String> prompts = prompts(shared.resolve("data/tinystories/prompts-a.jsonl"), REQUESTS);
        Path jar = verifierJar();
        Path logs = Files.createDirectories(Path.of("target", "bench-replicas")).toAbsolutePath();
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS, Topics.GENERATE, Topics.DRAFT,
                Topics.VERIFY, Topics.SMALL_GENERATE, Topics.DEAD_LETTER, REPLIES);
        broker.afterPropertiesSet();
        String bootstrap = broker.getBrokersAsString();
        System.out.printf("%nSpeculum verifier replicas benchmark: %s, %d partitions on %s, %d greedy requests x %d tokens "
                + "per burst, speculation off, replicas = separate JVMs (java -jar %s), %d cores%n",
                model.getFileName(), PARTITIONS, Topics.GENERATE, REQUESTS, TOKENS, jar.getFileName(),
                Runtime.getRuntime().availableProcessors());
        List<Process> replicas = new java.util.concurrent.CopyOnWriteArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> replicas.forEach(Process::destroy)));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> replies = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ConsumerConfig.GROUP_ID_CONFIG, "bench-replicas", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"),
                     new StringDeserializer(), new ByteArrayDeserializer())) {
            replies.subscribe(List.of(REPLIES));
            while (replies.assignment().isEmpty()) {
                replies.poll(Duration.ofMillis(100));
            }
            // resolve "latest" now: resolved lazily, it would skip replies written before the next poll
            replies.assignment().forEach(replies::position);
            Burst client = new Burst(producer, replies, prompts);
            Map<Integer, Burst.Result> results = new TreeMap<>();
            for (int n = 1; n <= MAX_REPLICAS; n++) {
                replicas.add(startReplica(jar, bootstrap, model, logs, n));
                awaitGroup(admin, n);
                client.run("warm-" + n, null); // JIT and KV warm-up of the new member, not measured
                results.put(n, client.run("r" + n, null));
            }
            Burst.Result one = results.get(1);
            System.out.printf("%n| replicas | requests | tokens | seconds | tok/s | vs 1 replica | outputs = 1-replica run |%n");
            System.out.printf("| --- | --- | --- | --- | --- | --- | --- |%n");
            for (var entry : results.entrySet()) {
                Burst.Result r = entry.getValue();
                System.out.printf("| %d | %d | %d | %.2f | %.0f | %.2fx | %s |%n", entry.getKey(), r.completed(), r.tokens(),
                        r.seconds(), r.tokensPerSecond(), r.tokensPerSecond() / one.tokensPerSecond(), r.sameOutputs(one));
            }

            // a member leaves while requests stream in: SIGTERM, as Kubernetes stops a pod on scale-down; the stream
            // goes on until the group is stable without it, then as many requests again
            Process leaving = replicas.removeLast();
            Burst.Result down = client.stream("down", () -> {
                leaving.destroy();
                return "replica " + MAX_REPLICAS + " stopped (SIGTERM)";
            }, () -> groupSettled(admin, MAX_REPLICAS - 1));
            leaving.waitFor(60, TimeUnit.SECONDS);
            // a member joins while requests stream in: the group rebalances under load
            Burst.Result up = client.stream("up", () -> {
                replicas.add(startReplica(jar, bootstrap, model, logs, MAX_REPLICAS + 1));
                return "replica " + (MAX_REPLICAS + 1) + " started";
            }, () -> groupSettled(admin, MAX_REPLICAS));
            System.out.printf("%n| while requests stream in | completed | errors | duplicate terminal events | seconds | outputs = 1-replica run |%n");
            System.out.printf("| --- | --- | --- | --- | --- | --- |%n");
            for (var entry : List.of(Map.entry("a replica leaves (" + MAX_REPLICAS + " -> " + (MAX_REPLICAS - 1) + ")", down),
                    Map.entry("a replica joins (" + (MAX_REPLICAS - 1) + " -> " + MAX_REPLICAS + ")", up))) {
                Burst.Result r = entry.getValue();
                System.out.printf("| %s | %d/%d | %d | %d | %.2f | %s |%n", entry.getKey(), r.completed(), r.sent(), r.errors(),
                        r.duplicates(), r.seconds(), r.sameOutputs(one));
            }
            System.out.printf("%nReplica logs: %s%n", logs);
        } finally {
            for (Process replica : replicas) {
                replica.destroy();
            }
            for (Process replica : replicas) {
                if (!replica.waitFor(30, TimeUnit.SECONDS)) {
                    replica.destroyForcibly();
                }
            }
            broker.destroy();
        }
    }

    /** A verifier-service replica as a container runs it: its own JVM on the exec jar, an ephemeral HTTP port. */
    private static Process startReplica(Path jar, String bootstrap, Path model, Path logs, int index) throws IOException {
        Path tmp = Files.createDirectories(logs.resolve("llama-tmp-" + index));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dde.kherud.llama.tmpdir=" + tmp, "-Dspeculum.llama.tmpdir=" + tmp,
                "-Xss4m", "-Xmx512m"));
        if ("classpath".equals(System.getenv("BENCH_LAUNCH"))) {
            // the same classes from this JVM's class path instead of the exec jar
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.speculum.verifier.VerifierApplication"));
        } else {
            command.addAll(List.of("-jar", jar.toString()));
        }
        command.addAll(List.of("--server.port=0", "--spring.kafka.bootstrap-servers=" + bootstrap, "--speculum.kafka.create-topics=false",
                "--speculum.verifier.model.path=" + model, "--speculum.verifier.threads=1", "--spring.main.banner-mode=off",
                "--logging.level.root=warn"));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logs.resolve("verifier-" + index + ".log").toFile()).start();
    }

    /** Until n replicas (each with its llm.generate consumer) share every llm.generate partition in a stable group. */
    private static void awaitGroup(Admin admin, int replicas) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (groupSettled(admin, replicas)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the verifier group did not reach " + replicas + " replicas in 5 minutes");
    }

    private static boolean groupSettled(Admin admin, int replicas) throws Exception {
        {
            ConsumerGroupDescription group;
            try {
                group = admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)) {
                    throw e;
                }
                return false; // the first replica has not joined yet
            }
            long owners = group.members().stream().filter(m -> owns(m, Topics.GENERATE)).count();
            long partitions = group.members().stream().mapToLong(m -> m.assignment().topicPartitions().stream()
                    .filter(p -> p.topic().equals(Topics.GENERATE)).count()).sum();
            return owners == replicas && partitions == PARTITIONS && "STABLE".equals(group.groupState().name());
        }
    }

    private static boolean owns(MemberDescription member, String topic) {
        return member.assignment().topicPartitions().stream().anyMatch(p -> p.topic().equals(topic));
    }

    /** A system property, else the environment variable BENCH_... (Maven's exec run forwards the environment). */
    private static int setting(String name, int fallback) {
        String value = System.getProperty(name, System.getenv(name.toUpperCase(java.util.Locale.ROOT).replace('.', '_')));
        return value == null ? fallback : Integer.parseInt(value);
    }

    private static Path verifierJar() throws IOException {
        String configured = System.getProperty("bench.verifier.jar", System.getenv("BENCH_VERIFIER_JAR"));
        if (configured != null) {
            return Path.of(configured).toAbsolutePath();
        }
        Path target = Path.of("..", "verifier-service", "target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().matches("speculum-verifier-service-.*-exec\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no verifier exec jar in " + target.toAbsolutePath()
                            + ": build it with ./mvnw -pl verifier-service -am package -DskipTests")).toAbsolutePath();
        }
    }

    private static List<String> prompts(Path file, int count) throws IOException {
        Pattern prompt = Pattern.compile("\"prompt\": \"((?:[^\"\\\\]|\\\\.)*)\"");
        List<String> all = Files.readAllLines(file).stream().map(line -> {
            Matcher m = prompt.matcher(line);
            if (!m.find()) {
                throw new IllegalStateException("no prompt in " + line);
            }
            return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
        }).toList();
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            prompts.add(all.get(i % all.size()));
        }
        return prompts;
    }

    /** One burst: every prompt sent at once, replies collected until each request ended (or 3 minutes passed). */
    private static final class Burst {

        interface Action {
            String run() throws Exception;
        }

        interface Check {
            boolean done() throws Exception;
        }

        /** outputs: request number -> tokens; request j asked for prompt j % prompts (the reference's request j). */
        record Result(int sent, int completed, int errors, int duplicates, long tokens, double seconds, Map<Integer, int[]> outputs) {

            double tokensPerSecond() {
                return tokens / seconds;
            }

            String sameOutputs(Result reference) {
                int same = 0;
                for (var entry : outputs.entrySet()) {
                    if (Arrays.equals(entry.getValue(), reference.outputs.get(entry.getKey() % reference.outputs.size()))) {
                        same++;
                    }
                }
                return (same == sent ? "yes (" : "NO (") + same + "/" + sent + ")";
            }
        }

        private final KafkaProducer<String, byte[]> producer;
        private final KafkaConsumer<String, byte[]> replies;
        private final List<String> prompts;

        Burst(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> replies, List<String> prompts) {
            this.producer = producer;
            this.replies = replies;
            this.prompts = prompts;
        }

        /** Sends the burst at once; {@code midway}, if any, runs once a third of the requests have ended. */
        Result run(String name, Action midway) throws Exception {
            return collect(name, midway, null);
        }

        /**
         * A paced stream (one request per {@code bench.pace-ms}, 250 ms): {@code change} runs after a third of the
         * burst size has ended; the stream goes on until {@code settled} holds and then for one burst size more.
         */
        Result stream(String name, Action change, Check settled) throws Exception {
            return collect(name, change, settled);
        }

        private Result collect(String name, Action midway, Check settled) throws Exception {
            Map<String, Integer> index = new HashMap<>();
            Map<Integer, TreeMap<Integer, int[]>> rounds = new HashMap<>();
            Map<Integer, Integer> terminals = new HashMap<>();
            int errors = 0;
            int sent = 0;
            long started = System.nanoTime();
            long pace = TimeUnit.MILLISECONDS.toNanos(setting("bench.pace-ms", 250));
            if (settled == null) {
                while (sent < prompts.size()) {
                    send(name, sent++, index);
                }
                producer.flush();
            }
            long deadline = started + TimeUnit.MINUTES.toNanos(settled == null ? 3 : 8);
            boolean acted = midway == null;
            int stopAt = settled == null ? prompts.size() : Integer.MAX_VALUE;
            long nextSend = started;
            long ended = started;
            while ((sent < stopAt || terminals.size() < sent) && System.nanoTime() < deadline) {
                if (sent < stopAt && System.nanoTime() >= nextSend) {
                    send(name, sent++, index);
                    producer.flush();
                    nextSend += pace;
                }
                for (ConsumerRecord<String, byte[]> record : replies.poll(Duration.ofMillis(10))) {
                    GenerationEvent event = ProtocolCodec.read(record.value(), GenerationEvent.class);
                    Integer i = index.get(event.requestId());
                    if (i == null) {
                        continue;
                    }
                    if (event instanceof GenerationEvent.Round round) {
                        rounds.computeIfAbsent(i, k -> new TreeMap<>()).put(round.round(), round.tokens());
                    } else if (event.ends()) {
                        if (event instanceof GenerationEvent.Error error && !terminals.containsKey(i)) {
                            errors++;
                            System.out.printf("  %s: request %d ended with %s: %s%n", name, i, error.code(), error.message());
                        }
                        terminals.merge(i, 1, Integer::sum);
                        ended = System.nanoTime();
                    }
                }
                if (!acted && terminals.size() >= prompts.size() / 3) {
                    acted = true;
                    System.out.printf("  %s: %s after %d requests ended%n", name, midway.run(), terminals.size());
                }
                if (acted && settled != null && stopAt == Integer.MAX_VALUE && settled.done()) {
                    stopAt = sent + prompts.size();
                    System.out.printf("  %s: group settled after %d requests sent; %d more%n", name, sent, prompts.size());
                }
            }
            // late duplicates of terminal events (a record processed twice across a rebalance) arrive within a poll or two
            for (int n = 0; n < 10; n++) {
                for (ConsumerRecord<String, byte[]> record : replies.poll(Duration.ofMillis(50))) {
                    GenerationEvent event = ProtocolCodec.read(record.value(), GenerationEvent.class);
                    Integer i = index.get(event.requestId());
                    if (i != null && event.ends()) {
                        terminals.merge(i, 1, Integer::sum);
                    }
                }
            }
            Map<Integer, int[]> outputs = new HashMap<>();
            long tokens = 0;
            for (var entry : rounds.entrySet()) {
                int[] output = entry.getValue().values().stream().flatMapToInt(Arrays::stream).toArray();
                outputs.put(entry.getKey(), output);
                tokens += output.length;
            }
            int duplicates = terminals.values().stream().mapToInt(c -> c - 1).sum();
            Set<Integer> missing = new java.util.TreeSet<>(index.values());
            missing.removeAll(terminals.keySet());
            if (!missing.isEmpty()) {
                System.out.printf("  %s: no terminal event for requests %s%n", name, missing);
            }
            Result result = new Result(sent, terminals.size(), errors, duplicates, tokens, (ended - started) / 1e9, outputs);
            System.out.printf("  %s: %d/%d ended, %d tokens in %.2f s%n", name, result.completed(), sent, tokens, result.seconds());
            return result;
        }

        private void send(String name, int i, Map<String, Integer> index) {
            String id = name + "-" + i + "-" + UUID.randomUUID();
            index.put(id, i);
            GenerateRequest request = new GenerateRequest(id, REPLIES, "stories260K", prompts.get(i % prompts.size()), null, TOKENS,
                    SamplingParams.greedy(), List.of(), SpeculationPolicy.off(), System.currentTimeMillis(), 0);
            producer.send(new ProducerRecord<>(Topics.GENERATE, id, ProtocolCodec.write(request)));
        }
    }
}
