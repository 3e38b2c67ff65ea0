package io.speculum.bench;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.EngineOptions;
import io.speculum.llama.InferenceEngine;
import io.speculum.llama.Model;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.DraftRelease;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.SpeculationPolicy;
import io.speculum.standalone.ServiceLauncher;
import io.speculum.standalone.StandaloneApplication;
import io.speculum.verifier.SpeculativeVerifier;
import io.speculum.verifier.VerifierOutput;
import io.speculum.verifier.VerifierSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the gateway and Kafka add to a generation: the same greedy, target-only generations (stories260K, speculation
 * off, so drafting does not blur the comparison) once driven in-process (a {@link SpeculativeVerifier} called
 * directly, events timed as it emits them) and once through the standalone suite (HTTP + SSE in, Kafka both ways, one
 * JVM), at 1, 8 and 32 concurrent streams. Prints time to first token and time per output token (median, p99) side
 * by side with the difference, throughput at the highest concurrency, errors, and the memory of the suite's process.
 *
 * <p>{@code -Dbench.requests=N} requests per concurrency level (default 64), {@code -Dbench.tokens=T} tokens each
 * (default 32), {@code -Dbench.concurrency=1,8,32,64}; {@code -Dbench.padded=H,F,B} serves a cost-padded copy of
 * stories260K (hidden size, FFN width, blocks, e.g. 1024,4352,9 for the 150M target) instead, so that a decode costs
 * what a real target's does and the gateway's share shows at its true scale.
 */
public final class GatewayBenchmark {

    private static final String KEY = "bench-key";
    private static final String PROMPT = "Once upon a time, there was a little girl named Lily.";
    private static final int REQUESTS = Integer.parseInt(BenchSettings.property("bench.requests", "64"));
    private static final int TOKENS = Integer.parseInt(BenchSettings.property("bench.tokens", "32"));
    private static final int[] CONCURRENCY = Arrays.stream(BenchSettings.property("bench.concurrency", "1,8,32,64").split(","))
            .mapToInt(Integer::parseInt).toArray();
    private static final int SESSIONS = Arrays.stream(CONCURRENCY).max().orElse(32);

    /** One request's timings: milliseconds to the first token, per later token, and tokens received. */
    record Sample(double ttftMillis, double perTokenMillis, int tokens, boolean failed) {
    }

    record Level(List<Sample> samples, double seconds) {
        double percentile(boolean ttft, double p) {
            double[] values = samples.stream().filter(s -> !s.failed()).mapToDouble(s -> ttft ? s.ttftMillis() : s.perTokenMillis())
                    .filter(v -> !Double.isNaN(v)).sorted().toArray();
            return values.length == 0 ? Double.NaN : values[Math.min(values.length - 1, (int) Math.floor(p * values.length))];
        }

        long errors() {
            return samples.stream().filter(Sample::failed).count();
        }

        double tokensPerSecond() {
            return samples.stream().mapToInt(Sample::tokens).sum() / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(System.getProperty("speculum.shared.dir", "../shared"));
        Path target = shared.resolve("models/stories260K.gguf");
        String padding = BenchSettings.property("bench.padded", "");
        Path work = Files.createTempDirectory("speculum-bench");
        if (!padding.isBlank()) {
            int[] shape = java.util.Arrays.stream(padding.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            target = new io.speculum.llama.CostPadder().pad(new io.speculum.llama.CostPadding(target,
                    work.resolve("stories260K-padded.gguf"), shape[0], shape[1], shape[2])).file();
        }
        System.out.printf("Gateway + Kafka over in-process generation: %s, greedy, speculation off, %d tokens, "
                + "%d requests per level, %d cores%n", padding.isBlank() ? "stories260K" : "stories260K padded to " + padding,
                TOKENS, REQUESTS, Runtime.getRuntime().availableProcessors());

        Map<Integer, Level> viaGateway = new java.util.LinkedHashMap<>();
        String memory;
        try (ConfigurableApplicationContext suite = StandaloneApplication.builder().run(
                "--speculum.standalone.services=verifier-service,gateway",
                "--speculum.standalone.api-key=" + KEY,
                "--speculum.standalone.models.cache-dir=" + Files.createTempDirectory("speculum-bench"),
                "--speculum.standalone.service-properties.server.port=0",
                "--speculum.standalone.service-properties.management.server.port=0",
                "--speculum.standalone.service-properties.speculum.verifier.threads=1",
                // the standalone's own model settings (its per-service model paths override service properties)
                "--speculum.standalone.models.target=" + target,
                "--speculum.standalone.models.name=stories260K",
                "--speculum.standalone.service-properties.speculum.verifier.max-sessions=" + SESSIONS,
                "--speculum.standalone.service-properties.logging.level.root=warn",
                "--speculum.standalone.service-properties.spring.kafka.template.observation-enabled=" + Boolean.getBoolean("bench.observe"),
                "--speculum.standalone.service-properties.spring.kafka.listener.observation-enabled=" + Boolean.getBoolean("bench.observe"),
                "--speculum.shared.dir=" + shared)) {
            ConfigurableApplicationContext gateway = suite.getBean(ServiceLauncher.class).services().get("gateway");
            String url = "http://localhost:" + gateway.getEnvironment().getProperty("local.server.port") + "/v1/completions";
            awaitReady(gateway);
            HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
            String bootstrap = suite.getBean(org.springframework.kafka.test.EmbeddedKafkaBroker.class).getBrokersAsString();
            HopProbe probe = Boolean.parseBoolean(BenchSettings.property("bench.probe", "false")) ? HopProbe.start(bootstrap,
                    io.speculum.protocol.Topics.GENERATE, gateway.getBean(io.speculum.gateway.backend.ReplyTopic.class).name()) : null;
            overGateway(http, url, 1, Math.min(8, REQUESTS)); // warm-up
            for (int concurrency : CONCURRENCY) {
                viaGateway.put(concurrency, overGateway(http, url, concurrency, REQUESTS));
            }
            memory = memory() + inside(gateway) + (probe == null ? "" : probe.stop());
        }

        Map<Integer, Level> inProcess = new java.util.LinkedHashMap<>();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (Model model = Model.load(target);
             InferenceEngine engine = new InferenceEngine(model, ContextOptions.defaults(512 * SESSIONS)
                     .withMaxSequences(SESSIONS).withBatchSize(64).withThreads(1).withBatchInvariance(true),
                     EngineOptions.named("verifier"))) {
            Recorder recorder = new Recorder();
            try (SpeculativeVerifier verifier = new SpeculativeVerifier(model, engine,
                    VerifierSettings.defaults("stories260K", 512).withCapacity(SESSIONS, 64), recorder, timer)) {
                inProcess(verifier, recorder, 1, Math.min(8, REQUESTS)); // warm-up
                for (int concurrency : CONCURRENCY) {
                    inProcess.put(concurrency, inProcess(verifier, recorder, concurrency, REQUESTS));
                }
            }
        } finally {
            timer.shutdownNow();
        }

        System.out.printf("%n%-12s %-22s %10s %10s %10s %10s %8s %8s%n", "streams", "path", "TTFT p50", "TTFT p99",
                "tok p50", "tok p99", "tok/s", "errors");
        for (int concurrency : CONCURRENCY) {
            Level local = inProcess.get(concurrency);
            Level remote = viaGateway.get(concurrency);
            row(concurrency, "in-process", local);
            row(concurrency, "gateway+Kafka (SSE)", remote);
            System.out.printf("%-12s %-22s %+10.2f %+10.2f %+10.3f %+10.3f %7.2fx%n", "", "added (ms) / ratio",
                    remote.percentile(true, 0.5) - local.percentile(true, 0.5), remote.percentile(true, 0.99) - local.percentile(true, 0.99),
                    remote.percentile(false, 0.5) - local.percentile(false, 0.5), remote.percentile(false, 0.99) - local.percentile(false, 0.99),
                    remote.tokensPerSecond() / local.tokensPerSecond());
        }
        System.out.println(memory);
        Level oneLocal = inProcess.get(CONCURRENCY[0]);
        Level oneRemote = viaGateway.get(CONCURRENCY[0]);
        double addedTtft = oneRemote.percentile(true, 0.5) - oneLocal.percentile(true, 0.5);
        double rate = oneRemote.tokensPerSecond() / oneLocal.tokensPerSecond();
        long errors = viaGateway.values().stream().mapToLong(Level::errors).sum();
        System.out.printf("%ngoals (gateway), at %d stream(s) where one is asked%n", CONCURRENCY[0]);
        System.out.printf("  %-60s %+8.2f ms  %s%n", "time to first token added by the gateway, p50 <= 3 ms", addedTtft,
                addedTtft <= 3 ? "met" : "not met");
        System.out.printf("  %-60s %8.2fx    %s%n", "tokens/s through the gateway / in-process >= 0.9", rate, rate >= 0.9 ? "met" : "not met");
        System.out.printf("  %-60s %8d     %s%n", "errors at " + java.util.Arrays.toString(CONCURRENCY) + " streams", errors,
                errors == 0 ? "met" : "not met");
    }

    private static void row(int concurrency, String path, Level level) {
        System.out.printf("%-12d %-22s %10.2f %10.2f %10.3f %10.3f %8.0f %8d%n", concurrency, path, level.percentile(true, 0.5),
                level.percentile(true, 0.99), level.percentile(false, 0.5), level.percentile(false, 0.99), level.tokensPerSecond(),
                level.errors());
    }

    private static void awaitReady(ConfigurableApplicationContext gateway) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI readiness = URI.create("http://localhost:" + gateway.getEnvironment().getProperty("local.management.port")
                + "/actuator/health/readiness");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            if (http.send(HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the gateway did not become ready");
    }

    private static Level overGateway(HttpClient http, String url, int concurrency, int requests) throws Exception {
        String body = "{\"model\":\"stories260K\",\"prompt\":\"" + PROMPT + "\",\"max_tokens\":" + TOKENS
                + ",\"temperature\":0,\"stream\":true,\"speculum\":{\"speculation\":{\"mode\":\"off\"},\"stats\":true}}";
        return run(concurrency, requests, () -> {
            long start = System.nanoTime();
            HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                return new Sample(Double.NaN, Double.NaN, 0, true);
            }
            long[] first = {0};
            long[] last = {0};
            int[] tokens = {0};
            boolean[] failed = {false};
            response.body().filter(line -> line.startsWith("data:")).forEach(line -> {
                if (line.contains("\"error\"")) {
                    failed[0] = true;
                }
                int at = line.indexOf("\"tokens\":");
                if (at >= 0) {
                    int n = Integer.parseInt(line.substring(at + 9, line.indexOf(',', at)));
                    long now = System.nanoTime();
                    if (tokens[0] == 0) {
                        first[0] = now;
                    }
                    last[0] = now;
                    tokens[0] += n;
                }
            });
            return sample(start, first[0], last[0], tokens[0], failed[0]);
        });
    }

    private static Level inProcess(SpeculativeVerifier verifier, Recorder recorder, int concurrency, int requests) throws Exception {
        return run(concurrency, requests, () -> {
            String id = "bench-" + UUID.randomUUID();
            Recorder.Timings timings = recorder.expect(id);
            long start = System.nanoTime();
            verifier.onGenerate(new GenerateRequest(id, "in-process", "stories260K", PROMPT, null, TOKENS, SamplingParams.greedy(),
                    List.of(), SpeculationPolicy.off(), System.currentTimeMillis(), 0));
            timings.done.get(120, TimeUnit.SECONDS);
            return sample(start, timings.first, timings.last, timings.tokens, timings.failed);
        });
    }

    private static Sample sample(long start, long first, long last, int tokens, boolean failed) {
        if (tokens == 0) {
            return new Sample(Double.NaN, Double.NaN, 0, true);
        }
        double perToken = tokens > 1 ? (last - first) / 1e6 / (tokens - 1) : Double.NaN;
        return new Sample((first - start) / 1e6, perToken, tokens, failed);
    }

    private static Level run(int concurrency, int requests, java.util.concurrent.Callable<Sample> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            long started = System.nanoTime();
            List<Future<Sample>> futures = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                futures.add(pool.submit(request));
            }
            List<Sample> samples = new ArrayList<>();
            for (Future<Sample> future : futures) {
                try {
                    samples.add(future.get(300, TimeUnit.SECONDS));
                } catch (Exception e) {
                    samples.add(new Sample(Double.NaN, Double.NaN, 0, true));
                }
            }
            return new Level(samples, (System.nanoTime() - started) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The gateway's own view (all levels and the warm-up together): from a request's arrival to its first event. */
    private static String inside(ConfigurableApplicationContext gateway) {
        io.micrometer.core.instrument.MeterRegistry registry = gateway.getBean(io.micrometer.core.instrument.MeterRegistry.class);
        io.micrometer.core.instrument.Timer ttft = registry.find("speculum.gateway.time.to.first.token").timer();
        io.micrometer.core.instrument.Timer queue = registry.find("speculum.gateway.request.queue.time").timer();
        return ttft == null || queue == null ? "" : String.format(
                "%nInside the gateway (mean over %d requests): request arrival to first event %.2f ms, of which not the "
                        + "verifier's prefill compute (Kafka both ways and queueing) %.2f ms",
                ttft.count(), ttft.mean(TimeUnit.MILLISECONDS), queue.mean(TimeUnit.MILLISECONDS));
    }

    /** Resident memory of this JVM (the whole suite: broker, verifier with its model, gateway) and its heap. */
    private static String memory() throws Exception {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        String rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS") || l.startsWith("VmHWM"))
                .map(l -> l.replaceAll("\\s+", " ")).reduce((a, b) -> a + ", " + b).orElse("VmRSS n/a (not Linux)");
        return String.format("%nStandalone process (broker + verifier + gateway, this JVM): %s; heap used %d MB of %d MB committed",
                rss, (runtime.totalMemory() - runtime.freeMemory()) >> 20, runtime.totalMemory() >> 20);
    }

    /**
     * With {@code -Dbench.probe=true}: a consumer of its own on the generate topic and on the gateway's reply topic,
     * timing each record from its producer timestamp to its arrival (broker and consumer, both directions).
     */
    private record HopProbe(Thread thread, Map<String, List<Double>> lags, java.util.concurrent.atomic.AtomicBoolean running) {

        static HopProbe start(String bootstrap, String... topics) {
            Map<String, List<Double>> lags = new ConcurrentHashMap<>();
            var running = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread thread = Thread.ofPlatform().daemon().start(() -> {
                try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(Map.of(
                        "bootstrap.servers", bootstrap, "group.id", "bench-probe-" + UUID.randomUUID(), "auto.offset.reset", "latest"),
                        new org.apache.kafka.common.serialization.StringDeserializer(),
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(topics));
                    while (running.get()) {
                        for (var record : consumer.poll(Duration.ofMillis(100))) {
                            lags.computeIfAbsent(record.topic(), t -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                    .add((double) (System.currentTimeMillis() - record.timestamp()));
                        }
                    }
                }
            });
            return new HopProbe(thread, lags, running);
        }

        String stop() throws InterruptedException {
            running.set(false);
            thread.join(2000);
            StringBuilder out = new StringBuilder();
            lags.forEach((topic, values) -> {
                double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                out.append(String.format("%nProbe %s: %d records, producer timestamp to a fresh consumer: median %.0f ms, p99 %.0f ms",
                        topic, sorted.length, sorted[sorted.length / 2], sorted[Math.min(sorted.length - 1, (int) (0.99 * sorted.length))]));
            });
            return out.toString();
        }
    }

    /** The in-process verifier's output: each event timed as it is emitted. */
    private static final class Recorder implements VerifierOutput {

        static final class Timings {
            final CompletableFuture<Void> done = new CompletableFuture<>();
            volatile long first;
            volatile long last;
            volatile int tokens;
            volatile boolean failed;
        }

        private final Map<String, Timings> timings = new ConcurrentHashMap<>();

        Timings expect(String id) {
            return timings.computeIfAbsent(id, x -> new Timings());
        }

        @Override
        public void reply(String replyTopic, GenerationEvent event) {
            Timings t = expect(event.requestId());
            long now = System.nanoTime();
            switch (event) {
                case GenerationEvent.Round round -> {
                    if (t.tokens == 0) {
                        t.first = now;
                    }
                    t.last = now;
                    t.tokens += round.tokens().length;
                }
                case GenerationEvent.Done done -> {
                    timings.remove(event.requestId());
                    t.done.complete(null);
                }
                case GenerationEvent.Error error -> {
                    t.failed = true;
                    timings.remove(event.requestId());
                    t.done.complete(null);
                }
            }
        }

        @Override
        public void requestDraft(DraftRequest request) {
        }

        @Override
        public void releaseDrafts(DraftRelease release) {
        }
    }
}
