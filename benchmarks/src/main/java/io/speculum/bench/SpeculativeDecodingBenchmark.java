package io.speculum.bench;

import io.speculum.drafter.DraftService;
import io.speculum.drafter.DrafterApplication;
import io.speculum.drafter.ModelDrafter;
import io.speculum.llama.ContextOptions;
import io.speculum.llama.DecodeBatch;
import io.speculum.llama.DrafterDerivation;
import io.speculum.llama.DrafterDeriver;
import io.speculum.llama.EngineOptions;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.InferenceEngine;
import io.speculum.llama.Model;
import io.speculum.llama.WeightFormat;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.DraftRelease;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.SpeculationPolicy;
import io.speculum.protocol.Topics;
import io.speculum.verifier.SpeculativeVerifier;
import io.speculum.verifier.VerifierApplication;
import io.speculum.verifier.VerifierOutput;
import io.speculum.verifier.VerifierSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Speculative decoding on stories260K with drafters derived from it: acceptance α and mean accepted length τ per
 * drafter, chain length and temperature; then tokens/s of the target alone, of speculation in-process, and of
 * speculation over Kafka (drafter-service and verifier-service as two Spring applications on an in-process broker,
 * one JVM), with the drafter hop's time per round. Requests run one at a time (latency, not throughput).
 */
public final class SpeculativeDecodingBenchmark {

    private static final int TOKENS = 64;
    private static final int PROMPTS = 20;
    private static final String REPLIES = "bench-replies";

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(System.getProperty("speculum.shared.dir", "../shared"));
        Path targetFile = shared.resolve("models/stories260K.gguf");
        List<String> prompts = prompts(shared.resolve("data/tinystories/prompts-a.jsonl"));
        Path work = Files.createTempDirectory("speculum-bench");
        DrafterDeriver deriver = new DrafterDeriver();
        Path q8 = deriver.derive(new DrafterDerivation(targetFile, work.resolve("q8.gguf"), WeightFormat.Q8_0, 0)).file();
        Path l2 = deriver.derive(new DrafterDerivation(targetFile, work.resolve("l2.gguf"), WeightFormat.KEEP, 2)).file();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("bench-timer").unstarted(r));

        System.out.printf("%nSpeculum speculative decoding benchmark: stories260K target, %d prompts of prompts-a.jsonl, "
                + "%d tokens, %d cores%n", prompts.size(), TOKENS, Runtime.getRuntime().availableProcessors());
        try (Model target = Model.load(targetFile); Model q8Model = Model.load(q8); Model l2Model = Model.load(l2)) {
            System.out.printf("%nacceptance (in-process)%n  %-22s %4s %-7s %8s %8s%n", "drafter", "k", "T", "alpha", "tau");
            for (Object[] drafter : Boolean.getBoolean("bench.quick") ? new Object[0][] : new Object[][] {{"Q8_0 copy", q8Model}, {"2-layer copy", l2Model}}) {
                for (int k : new int[] {2, 4, 8}) {
                    for (double temperature : new double[] {0, 1}) {
                        Run run = inProcess(target, (Model) drafter[1], prompts, k, temperature, timer);
                        System.out.printf("  %-22s %4d %-7s %8.3f %8.2f%n", drafter[0], k,
                                temperature == 0 ? "greedy" : "1.0", run.alpha(), run.tau());
                    }
                }
            }

            double targetOnly = targetOnlyTokensPerSecond(target, prompts);
            Run inProcess = inProcess(target, q8Model, prompts, 4, 0, timer);
            KafkaRun overKafka = overKafka(targetFile, q8, prompts, 4);
            Run kafka = overKafka.run();
            System.out.printf("%ngreedy tokens/s, one request at a time (Q8_0 copy drafting, k = 4)%n");
            System.out.printf("  %-34s %10.1f%n", "target alone", targetOnly);
            System.out.printf("  %-34s %10.1f  %5.2fx  tau %.2f%n", "speculative, in-process", inProcess.tokensPerSecond(),
                    inProcess.tokensPerSecond() / targetOnly, inProcess.tau());
            System.out.printf("  %-34s %10.1f  %5.2fx  tau %.2f%n", "speculative, over Kafka", kafka.tokensPerSecond(),
                    kafka.tokensPerSecond() / targetOnly, kafka.tau());
            System.out.printf("%ndrafter hop per round (ask for a draft .. receive it), ms%n");
            System.out.printf("  %-34s median %6.2f  p99 %6.2f%n", "in-process", inProcess.hopMedian(), inProcess.hopP99());
            System.out.printf("  %-34s median %6.2f  p99 %6.2f%n", "over Kafka", kafka.hopMedian(), kafka.hopP99());
            System.out.printf("  %-34s median %6.2f%n", "Kafka's share (difference)", kafka.hopMedian() - inProcess.hopMedian());
            System.out.printf("  %-34s median %6.2f  p99 %6.2f%n", "bare Kafka ping-pong, 2 KB", percentile(overKafka.pingPong(), 0.5),
                    percentile(overKafka.pingPong(), 0.99));
        } finally {
            timer.shutdownNow();
        }
        System.out.flush();
        System.exit(0);
    }

    /** Totals of a set of generations. */
    record Run(long tokens, long accepted, long drafted, long rounds, double seconds, double[] hops) {

        double alpha() {
            return drafted == 0 ? 0 : (double) accepted / drafted;
        }

        double tau() {
            return rounds == 0 ? 0 : (double) (accepted + rounds) / rounds;
        }

        double tokensPerSecond() {
            return tokens / seconds;
        }

        double hopMedian() {
            return percentile(hops, 0.5);
        }

        double hopP99() {
            return percentile(hops, 0.99);
        }
    }

    private static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }

    private static Run inProcess(Model target, Model drafter, List<String> prompts, int k, double temperature,
            ScheduledExecutorService timer) throws Exception {
        VerifierSettings settings = VerifierSettings.defaults("stories260K", 512).withCapacity(1, 64);
        try (InferenceEngine verifierEngine = new InferenceEngine(target, ContextOptions.defaults(512).withBatchSize(64)
                     .withThreads(1).withBatchInvariance(true), EngineOptions.named("verifier"));
             InferenceEngine drafterEngine = new InferenceEngine(drafter, ContextOptions.defaults(512).withBatchSize(64)
                     .withThreads(1), EngineOptions.named("drafter"));
             DraftService drafts = new DraftService(List.of(new ModelDrafter("model", drafter, drafterEngine)), "model")) {
            Link link = new Link(drafts);
            try (SpeculativeVerifier verifier = new SpeculativeVerifier(target, verifierEngine, settings, link, timer)) {
                link.verifier = verifier;
                List<GenerationEvent> events = new ArrayList<>();
                long started = System.nanoTime();
                for (int i = 0; i < prompts.size(); i++) {
                    String id = "p" + i + "-" + UUID.randomUUID();
                    CompletableFuture<List<GenerationEvent>> done = link.expect(id);
                    verifier.onGenerate(request(id, prompts.get(i), k, temperature, i));
                    events.addAll(done.get(120, TimeUnit.SECONDS));
                }
                return totals(events, (System.nanoTime() - started) / 1e9);
            }
        }
    }

    private static double targetOnlyTokensPerSecond(Model target, List<String> prompts) {
        try (InferenceContext context = target.newContext(ContextOptions.defaults(512).withBatchSize(64).withThreads(1)
                .withBatchInvariance(true))) {
            long tokens = 0;
            long started = System.nanoTime();
            for (String prompt : prompts) {
                context.clear();
                int[] promptTokens = target.vocabulary().tokenize(prompt, true, false);
                DecodeBatch batch = new DecodeBatch();
                batch.addSequence(0, promptTokens, 0, false);
                context.decode(batch);
                int row = batch.size() - 1;
                int position = promptTokens.length;
                for (int n = 0; n < TOKENS; n++) {
                    int next = context.logitsView(row).argmax();
                    if (target.vocabulary().isEndOfGeneration(next)) {
                        break;
                    }
                    tokens++;
                    batch.clear();
                    row = batch.add(next, position++, 0, true);
                    context.decode(batch);
                }
            }
            return tokens / ((System.nanoTime() - started) / 1e9);
        }
    }

    /** Speculation over Kafka, and the bare ping-pong over the same broker for reference. */
    record KafkaRun(Run run, double[] pingPong) {
    }

    private static KafkaRun overKafka(Path target, Path drafter, List<String> prompts, int k) throws Exception {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 3, Topics.GENERATE, Topics.DRAFT, Topics.VERIFY,
                Topics.DEAD_LETTER, REPLIES, "bench-ping", "bench-pong");
        broker.afterPropertiesSet();
        String bootstrap = broker.getBrokersAsString();
        try (ConfigurableApplicationContext drafterApp = DrafterApplication.builder().run("--server.port=0",
                "--spring.kafka.bootstrap-servers=" + bootstrap, "--speculum.drafter.model.path=" + drafter,
                "--logging.level.root=warn", "--spring.main.banner-mode=off", System.getProperty("bench.kafka.extra", "--bench.none=1"));
             ConfigurableApplicationContext verifierApp = VerifierApplication.builder().run("--server.port=0",
                "--spring.kafka.bootstrap-servers=" + bootstrap, "--speculum.verifier.model.path=" + target,
                "--speculum.verifier.threads=1", "--logging.level.root=warn", "--spring.main.banner-mode=off",
                System.getProperty("bench.kafka.extra", "--bench.none=1"));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0),
                     new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "bench",
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(REPLIES));
            double[] bare = pingPong(bootstrap);
            // warm-up, one pass over the prompts: on 2 cores the JIT compiling Spring, Kafka and Jackson code otherwise
            // takes a core away from the measured pass
            for (int pass = 0; pass < Integer.getInteger("bench.warm", 1); pass++) {
                for (int i = 0; i < prompts.size(); i++) {
                    generateOverKafka(producer, consumer, request("warm-" + UUID.randomUUID(), prompts.get(i), k, 0, i));
                }
            }
            List<GenerationEvent> events = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < prompts.size(); i++) {
                events.addAll(generateOverKafka(producer, consumer,
                        request("k" + i + "-" + UUID.randomUUID(), prompts.get(i), k, 0, i)));
            }
            return new KafkaRun(totals(events, (System.nanoTime() - started) / 1e9), bare);
        } finally {
            broker.destroy();
        }
    }

    /** Round trips ping → echo → pong with plain clients: the floor any two-hop exchange over this broker pays. */
    private static double[] pingPong(String bootstrap) throws Exception {
        int rounds = 500;
        byte[] payload = new byte[2048];
        KafkaConsumer<String, byte[]> echoIn = consumer(bootstrap, "bench-echo");
        Thread echo = Thread.ofPlatform().daemon().start(() -> {
            try (echoIn; KafkaProducer<String, byte[]> out = producer(bootstrap)) {
                echoIn.subscribe(List.of("bench-ping"));
                while (true) {
                    for (ConsumerRecord<String, byte[]> record : echoIn.poll(Duration.ofMillis(100))) {
                        out.send(new ProducerRecord<>("bench-pong", record.key(), record.value()));
                    }
                }
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                // stopped
            }
        });
        try (KafkaConsumer<String, byte[]> in = consumer(bootstrap, "bench-pinger");
             KafkaProducer<String, byte[]> out = producer(bootstrap)) {
            in.subscribe(List.of("bench-pong"));
            double[] times = new double[rounds];
            for (int i = -50; i < rounds; i++) {
                String key = Integer.toString(i);
                long started = System.nanoTime();
                out.send(new ProducerRecord<>("bench-ping", key, payload));
                boolean back = false;
                long deadline = started + TimeUnit.SECONDS.toNanos(30);
                while (!back && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> record : in.poll(Duration.ofMillis(100))) {
                        back |= record.key().equals(key);
                    }
                }
                if (!back) {
                    throw new IllegalStateException("ping " + i + " did not come back");
                }
                if (i >= 0) {
                    times[i] = (System.nanoTime() - started) / 1e6;
                }
            }
            return times;
        } finally {
            echoIn.wakeup();
            echo.join(10_000);
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String group) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static List<GenerationEvent> generateOverKafka(KafkaProducer<String, byte[]> producer,
            KafkaConsumer<String, byte[]> consumer, GenerateRequest request) {
        producer.send(new ProducerRecord<>(Topics.GENERATE, request.requestId(), ProtocolCodec.write(request)));
        producer.flush();
        List<GenerationEvent> events = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(5))) {
                GenerationEvent event = ProtocolCodec.read(record.value(), GenerationEvent.class);
                if (event.requestId().equals(request.requestId())) {
                    events.add(event);
                    if (event.ends()) {
                        return events;
                    }
                }
            }
        }
        throw new IllegalStateException("no terminal event for " + request.requestId());
    }

    private static Run totals(List<GenerationEvent> events, double seconds) {
        long tokens = 0;
        long accepted = 0;
        long drafted = 0;
        long rounds = 0;
        List<Double> hops = new ArrayList<>();
        for (GenerationEvent event : events) {
            if (event instanceof GenerationEvent.Round round) {
                tokens += round.tokens().length;
                if (round.stats().drafted() > 0) {
                    hops.add(round.stats().hopMillis());
                }
            } else if (event instanceof GenerationEvent.Done done) {
                accepted += done.stats().acceptedTokens();
                drafted += done.stats().draftedTokens();
                rounds += done.stats().rounds();
            } else if (event instanceof GenerationEvent.Error error) {
                throw new IllegalStateException("generation failed: " + error);
            }
        }
        return new Run(tokens, accepted, drafted, rounds, seconds, hops.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static GenerateRequest request(String id, String prompt, int k, double temperature, long seed) {
        SamplingParams sampling = temperature == 0 ? SamplingParams.greedy() : SamplingParams.ofTemperature(temperature, seed);
        return new GenerateRequest(id, REPLIES, "stories260K", prompt, null, TOKENS, sampling, List.of(),
                SpeculationPolicy.fixed(k), 0, 0);
    }

    private static List<String> prompts(Path file) throws IOException {
        Pattern prompt = Pattern.compile("\"prompt\": \"((?:[^\"\\\\]|\\\\.)*)\"");
        return Files.readAllLines(file).stream().limit(PROMPTS).map(line -> {
            Matcher m = prompt.matcher(line);
            if (!m.find()) {
                throw new IllegalStateException("no prompt in " + line);
            }
            return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
        }).toList();
    }

    /** The verifier and the drafter in one process, as the core tests connect them. */
    private static final class Link implements VerifierOutput {

        private final DraftService drafts;
        private final Map<String, List<GenerationEvent>> events = new ConcurrentHashMap<>();
        private final Map<String, CompletableFuture<List<GenerationEvent>>> ends = new ConcurrentHashMap<>();
        volatile SpeculativeVerifier verifier;

        Link(DraftService drafts) {
            this.drafts = drafts;
        }

        CompletableFuture<List<GenerationEvent>> expect(String id) {
            return ends.computeIfAbsent(id, x -> new CompletableFuture<>());
        }

        @Override
        public void reply(String replyTopic, GenerationEvent event) {
            List<GenerationEvent> list = events.computeIfAbsent(event.requestId(), x -> new CopyOnWriteArrayList<>());
            list.add(event);
            if (event.ends()) {
                expect(event.requestId()).complete(List.copyOf(list));
            }
        }

        @Override
        public void requestDraft(DraftRequest request) {
            drafts.handle(request, verifier::onProposal);
        }

        @Override
        public void releaseDrafts(DraftRelease release) {
            drafts.release(release);
        }
    }
}
