package io.speculum.bench;

import io.speculum.drafter.drafters.Drafter;
import io.speculum.llama.CostPadder;
import io.speculum.llama.CostPadding;
import io.speculum.llama.EngineStatistics;
import io.speculum.llama.Model;
import io.speculum.llama.PaddedTarget;
import io.speculum.protocol.HopStages;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.SpeculationPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

/**
 * Speculative decoding, measured side by side in one run:
 * <ol>
 *   <li>acceptance α and mean accepted length τ per drafter ({@link BenchDrafters#ALL}), chain length and
 *       temperature, with stories260K as target;</li>
 *   <li>the k-token decode cost curve of a cost-padded target (stories260K's function at ~150M parameters, written
 *       at start with {@link CostPadder});</li>
 *   <li>greedy tokens/s on the padded target, one request at a time, interleaved per prompt: the target alone,
 *       java-llama.cpp's built-in speculation, ours in-process and ours over Kafka (verifier-service and
 *       drafter-service as two Spring applications, the drafter in a JVM of its own), every ratio the median of
 *       per-prompt pairs;</li>
 *   <li>throughput with several concurrent requests (waves sent at once, interleaved per wave): the verifier without
 *       drafts, ours in-process, ours over Kafka;</li>
 *   <li>the drafter hop per round in-process and over Kafka, beside a bare Kafka ping-pong;</li>
 *   <li>optionally ({@code -Dbench.auto=true}) the automatic policy per drafter against the target alone.</li>
 * </ol>
 * Never a test: timings on a shared machine drift; only ratios of one run mean something.
 */
public final class SpeculativeDecodingBenchmark {

    private static final int[] ACCEPTANCE_KS = {2, 4, 8};
    private static final double[] TEMPERATURES = {0, 1};
    private static final int[] COST_KS = {1, 2, 4, 8, 16, 32};
    private static final int WARM_TOKENS = 32;
    /** The drafter-service JVM starts cold: its Kafka and Jackson code needs more rounds than the in-process paths. */
    private static final int KAFKA_WARMUPS = 8;

    public static void main(String[] args) throws Exception {
        BenchSettings settings = BenchSettings.fromSystemProperties();
        Path shared = Path.of(System.getProperty("speculum.shared.dir", "../shared"));
        Path stories = shared.resolve("models/stories260K.gguf");
        int needed = Math.max(settings.prompts() + Math.max(1, settings.warmups()),
                Math.max(settings.acceptancePrompts(), settings.concurrencyPrompts()));
        List<String> prompts = Prompts.first(shared.resolve("data/tinystories/prompts-a.jsonl"), needed);
        Path work = Files.createTempDirectory("speculum-bench");
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("bench-timer").unstarted(r));
        long runStarted = System.nanoTime();
        System.out.printf("%nSpeculum speculative decoding benchmark, %s, %d cores, %d compute thread(s) per target context%n",
                Instant.now(), Runtime.getRuntime().availableProcessors(), settings.threads());
        System.out.printf("command: %s%n", settings.commandLine());
        try (BenchModels models = new BenchModels(stories, work)) {
            if (settings.runs("acceptance")) {
                acceptance(settings, models, prompts, timer);
            }
            long padStarted = System.nanoTime();
            int[] shape = settings.padded();
            PaddedTarget padded = new CostPadder().pad(new CostPadding(stories, work.resolve("stories260K-padded.gguf"),
                    shape[0], shape[1], shape[2]));
            System.out.printf("%ncost-padded target: stories260K's function, hidden %d, FFN %d, %d blocks, %d/%d heads: "
                            + "%.1fM parameters (stories260K %.2fM), %d MB, written in %.1f s%n",
                    padded.padded().hiddenSize(), padded.padded().feedForwardSize(), padded.padded().blocks(),
                    padded.padded().heads(), padded.padded().kvHeads(), padded.parameters() / 1e6,
                    models.stories().metadata().parameterCount() / 1e6, padded.bytes() >> 20, seconds(padStarted));
            try (Model target = Model.load(padded.file())) {
                CostTable cost = settings.runs("cost") ? costCurve(settings, target) : null;
                if (settings.runs("speed")) {
                    Path drafterFile = models.derivedFile(BenchDrafters.WALL_CLOCK_FORMAT, 0);
                    wallClock(settings, models, target, padded.file(), drafterFile, prompts, timer, work, cost);
                }
                if (settings.runs("auto")) {
                    automaticPolicy(settings, models, target, prompts, timer);
                }
            } finally {
                Files.deleteIfExists(padded.file());
            }
        } finally {
            timer.shutdownNow();
            try (Stream<Path> files = Files.walk(work)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
        System.out.printf("%nwhole run: %.0f s%n", seconds(runStarted));
        System.out.flush();
        // java-llama.cpp leaves a non-daemon native thread behind after LlamaModel.close() (see NATIVE.md).
        System.exit(0);
    }

    // ---- 1. acceptance ------------------------------------------------------------------------------------------

    private static void acceptance(BenchSettings settings, BenchModels models, List<String> prompts,
                                   ScheduledExecutorService timer) throws Exception {
        long started = System.nanoTime();
        List<String> measured = prompts.subList(0, settings.acceptancePrompts());
        List<Generation> reference = new ArrayList<>();
        try (TargetAlone alone = new TargetAlone(models.stories(), 1)) {
            for (int i = 0; i < measured.size(); i++) {
                reference.add(alone.generate("ref" + i, measured.get(i), settings.tokens()));
            }
        }
        System.out.printf("%n1. acceptance, target stories260K, in-process, %d prompts x %d new tokens, fixed k "
                + "(alpha = accepted / drafted; tau = tokens per verification round, bonus included)%n", measured.size(), settings.tokens());
        System.out.printf("  %-22s %-10s %3s %-7s %8s %8s   %s%n", "drafter", "name", "k", "T", "alpha", "tau", "greedy = target alone");
        for (DrafterCase drafter : BenchDrafters.ALL) {
            // each drafter over its own verifier: the tree rows need a verifier that asks for trees
            try (InProcessSpeculation speculation = new InProcessSpeculation(models.stories(), 1, 64, 1,
                    settings.draftTimeout(), open(List.of(drafter), models, 1), drafter.treeBranches(), timer)) {
                for (int k : ACCEPTANCE_KS) {
                    for (double temperature : TEMPERATURES) {
                        List<Generation> generations = new ArrayList<>();
                        int identical = 0;
                        for (int i = 0; i < measured.size(); i++) {
                            Generation g = speculation.run(List.of(Requests.of("acc" + i, measured.get(i), settings.tokens(),
                                    Requests.fixed(drafter.name(), k), temperature, i))).generations().getFirst();
                            generations.add(g);
                            identical += g.sameOutput(reference.get(i)) ? 1 : 0;
                        }
                        Acceptance all = Acceptance.of(generations);
                        System.out.printf("  %-22s %-10s %3d %-7s %8.3f %8.2f   %s%n", drafter.label(), drafter.name(), k,
                                temperature == 0 ? "greedy" : String.valueOf(temperature), all.alpha(), all.tau(),
                                temperature == 0 ? identical + "/" + measured.size() : "-");
                    }
                }
            }
        }
        System.out.printf("  (%.0f s)%n", seconds(started));
    }

    // ---- 2. cost curve ------------------------------------------------------------------------------------------

    /** Also times k + 1 and c·(k + 1) tokens (one round of k-token drafts, alone and for c sessions) and c alone. */
    private static int[] costSizes(BenchSettings settings) {
        java.util.TreeSet<Integer> sizes = new java.util.TreeSet<>();
        for (int k : COST_KS) {
            sizes.add(k);
        }
        sizes.add(settings.k() + 1);
        for (int c : settings.concurrency()) {
            sizes.add(c);
            sizes.add(c * (settings.k() + 1));
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    private static CostTable costCurve(BenchSettings settings, Model target) {
        long started = System.nanoTime();
        int[] sizes = costSizes(settings);
        System.out.printf("%n2. one decode of n tokens on the padded target (logits at every position), %d thread(s), "
                + "median of %d, relative to n = 1%n  %-18s", settings.threads(), settings.costRepeats(), "batch invariance");
        for (int n : sizes) {
            System.out.printf(" %7s", "n=" + n);
        }
        System.out.printf(" %10s%n", "n=1 (ms)");
        Map<Boolean, Map<Integer, Double>> measured = new java.util.HashMap<>();
        for (boolean invariant : new boolean[] {true, false}) {
            double[] micros = DecodeCost.micros(target, settings.threads(), invariant, sizes, settings.costRepeats());
            System.out.printf("  %-18s", invariant ? "on" : "off (plain)");
            Map<Integer, Double> byN = new TreeMap<>();
            for (int i = 0; i < sizes.length; i++) {
                System.out.printf(" %6.2fx", micros[i] / micros[0]);
                byN.put(sizes[i], micros[i]);
            }
            measured.put(invariant, byN);
            System.out.printf(" %10.2f%n", micros[0] / 1000);
        }
        Map<Integer, Double> spread = new TreeMap<>();
        int cached = 32 + settings.tokens() / 2; // a prompt and half a generation: a session's mean context
        boolean invariant = InProcessSpeculation.BATCH_INVARIANT;
        for (int c : settings.concurrency()) {
            if (c < 2) {
                continue;
            }
            io.speculum.llama.ContextOptions options = io.speculum.llama.ContextOptions.defaults(BenchModels.SEQUENCE_CONTEXT * c)
                    .withMaxSequences(c).withBatchSize(Math.max(cached, c * (settings.k() + 1))).withThreads(settings.threads())
                    .withBatchInvariance(invariant);
            for (int n : new int[] {1, settings.k() + 1}) {
                spread.put(c * n, DecodeCost.spreadMicros(target, options, c, n, cached, 2, settings.costRepeats()));
            }
            System.out.printf("  spread over %d sequences of %d cached tokens (the verifier's kernels): t(%d) %.2f ms (%.2fx %d tokens "
                    + "of one sequence), t(%d) %.2f ms (%.2fx)%n", c, cached, c, spread.get(c) / 1000,
                    spread.get(c) / measured.get(invariant).get(c), c, c * (settings.k() + 1), spread.get(c * (settings.k() + 1)) / 1000,
                    spread.get(c * (settings.k() + 1)) / measured.get(invariant).get(c * (settings.k() + 1)));
        }
        CostTable table = new CostTable(measured.get(true), measured.get(false), spread);
        System.out.printf("  on / off at n = 1: %.2fx, at n = %d: %.2fx (%.0f s)%n", table.verifier(1, true) / table.verifier(1, false),
                settings.k() + 1, table.verifier(settings.k() + 1, true) / table.verifier(settings.k() + 1, false), seconds(started));
        return table;
    }

    // ---- 3.-5. wall clock -----------------------------------------------------------------------------------------

    private static void wallClock(BenchSettings settings, BenchModels models, Model target, Path targetFile, Path drafterFile,
                                  List<String> prompts, ScheduledExecutorService timer, Path work, CostTable cost) throws Exception {
        int k = settings.k();
        int sessions = Arrays.stream(settings.concurrency()).max().orElse(1);
        int batchSize = Math.max(64, sessions * (k + 1));
        DrafterCase drafter = BenchDrafters.WALL_CLOCK;
        SpeculationPolicy pipelined = Requests.fixed(drafter.name(), k).withPipelining(true);
        SpeculationPolicy plain = Requests.fixed(drafter.name(), k).withPipelining(false);
        SpeculationPolicy automatic = Requests.automatic(drafter.name(), k);
        long setupStarted = System.nanoTime();
        try (TargetAlone alone = new TargetAlone(target, settings.threads());
             InProcessSpeculation inProcess = new InProcessSpeculation(target, sessions, batchSize, settings.threads(),
                     settings.draftTimeout(), List.of(drafter.opener().open(models, sessions)), timer);
             KafkaSpeculation kafka = new KafkaSpeculation(targetFile, drafterFile, drafter.name(), sessions, batchSize,
                     settings.threads(), settings.draftTimeout(), work)) {
            Map<String, List<Generation>> runs = new LinkedHashMap<>();
            for (String variant : List.of(ALONE, JAVA_LLAMA, IN_PROCESS, KAFKA, KAFKA_UNPIPELINED, KAFKA_AUTO)) {
                runs.put(variant, new ArrayList<>());
            }
            long kafkaTimeouts;
            try (JavaLlamaSpeculation javaLlama = new JavaLlamaSpeculation(targetFile, drafterFile, k, 0f, settings.threads())) {
                System.out.printf("%n   (set-up: Kafka broker, verifier-service, drafter-service in its own JVM, java-llama.cpp: %.0f s)%n",
                        seconds(setupStarted));
                long started = System.nanoTime();
                for (int w = 0; w < Math.max(settings.warmups(), KAFKA_WARMUPS); w++) {
                    String prompt = prompts.get(settings.prompts() + w % Math.max(1, settings.warmups()));
                    if (w < settings.warmups()) {
                        alone.generate("warm", prompt, WARM_TOKENS);
                        javaLlama.generate("warm", prompt, WARM_TOKENS);
                        inProcess.run(List.of(Requests.of("warm", prompt, WARM_TOKENS, pipelined, 0, 0)));
                    }
                    kafka.run(List.of(Requests.of("warm", prompt, WARM_TOKENS, pipelined, 0, 0)));
                    kafka.run(List.of(Requests.of("warm", prompt, WARM_TOKENS, plain, 0, 0)));
                }
                kafkaTimeouts = kafka.draftTimeouts();
                for (int i = 0; i < settings.prompts(); i++) {
                    String prompt = prompts.get(i);
                    runs.get(ALONE).add(alone.generate("alone" + i, prompt, settings.tokens()));
                    runs.get(JAVA_LLAMA).add(javaLlama.generate("jl" + i, prompt, settings.tokens()));
                    runs.get(IN_PROCESS).add(one(inProcess.run(List.of(Requests.of("inproc" + i, prompt, settings.tokens(), pipelined, 0, i)))));
                    runs.get(KAFKA).add(one(kafka.run(List.of(Requests.of("kafka" + i, prompt, settings.tokens(), pipelined, 0, i)))));
                    runs.get(KAFKA_UNPIPELINED).add(one(kafka.run(List.of(Requests.of("kafkap" + i, prompt, settings.tokens(), plain, 0, i)))));
                    runs.get(KAFKA_AUTO).add(one(kafka.run(List.of(Requests.of("kafkaa" + i, prompt, settings.tokens(), automatic, 0, i)))));
                }
                printOneAtATime(settings, drafter, runs, seconds(started));
                System.out.printf("  rounds without a draft in time (verifier's draft timeout), over Kafka: %d; rounds that verified a "
                        + "pre-draft (pipelined): %d%n", kafka.draftTimeouts() - kafkaTimeouts, kafka.pipelinedRounds());
            }
            // section 3's rounds only (the concurrency waves come next)
            double[] spyRequests = kafka.spy().requestMillis();
            double[] spyProposals = kafka.spy().proposalMillis();
            Map<String, Double> rates = new LinkedHashMap<>();
            runs.forEach((variant, generations) -> rates.put(variant, Stats.median(generations, Generation::tokensPerSecond)));
            Map<Integer, Map<String, Double>> waves = concurrency(settings, prompts, inProcess, kafka, pipelined, rates);
            int[] bytes = kafka.meanDraftMessageBytes();
            int payload = Math.max(64, (bytes[0] + bytes[1]) / 2);
            double[] pingPong = kafka.pingPong(settings.quick() ? 100 : 500, payload);
            // a round exchanges its messages once, after ~a decode of idling: the floor for that pattern
            double[] perRound = kafka.pingPong(100, payload, SpeculativeDecodingBenchmark::roundPause);
            double[] springPerRound = kafka.springPingPong(100, payload, SpeculativeDecodingBenchmark::roundPause);
            printHops(runs, pingPong, payload, bytes);
            System.out.printf("  %-44s median %6.2f  p99 %6.2f%n", "the same, once per 100 ms (a round's pattern)",
                    Stats.percentile(perRound, 0.5), Stats.percentile(perRound, 0.99));
            System.out.printf("  %-44s median %6.2f  p99 %6.2f%n", "the same through the services' Spring beans",
                    Stats.percentile(springPerRound, 0.5), Stats.percentile(springPerRound, 0.99));
            System.out.printf("  a bare consumer in the verifier's JVM reads (section 3's Kafka variants, ms p50 / p99): draft requests %.2f / %.2f "
                    + "after the verifier's stamp (%d), proposals %.2f / %.2f after the drafter's (%d)%n",
                    Stats.percentile(spyRequests, 0.5), Stats.percentile(spyRequests, 0.99), spyRequests.length,
                    Stats.percentile(spyProposals, 0.5), Stats.percentile(spyProposals, 0.99), spyProposals.length);
            double[] around = kafka.spy().meanAroundAppend();
            System.out.printf("  split at the broker's append (LogAppendTime, whole ms: means over %.0f messages of both legs): stamp .. append "
                    + "%.2f ms, append .. the bare consumer %.2f ms%n", around[2], around[0], around[1]);
            double[] ack = kafka.draftRequestAckMillis();
            System.out.printf("  broker acknowledgement of a draft request (the verifier's producer, all rounds so far): p50 %.2f ms, p99 %.2f ms%n",
                    ack[0], ack[1]);
            double[] send = kafka.draftRequestSendMillis();
            System.out.printf("  from a draft request's stamp to the producer accepting it (serialisation, send()): p50 %.2f ms, p99 %.2f ms%n",
                    send[0], send[1]);
            new Goals(settings, cost, runs, rates, waves, pingPong, perRound).print();
        }
    }

    static final String ALONE = "target alone (decode loop)";
    static final String JAVA_LLAMA = "java-llama.cpp built-in speculation";
    static final String IN_PROCESS = "ours, in-process";
    static final String KAFKA = "ours, over Kafka (2 processes)";
    static final String KAFKA_UNPIPELINED = "ours, over Kafka, not pipelined";

    private static Generation one(Wave wave) {
        return wave.generations().getFirst();
    }

    private static void printOneAtATime(BenchSettings settings, DrafterCase drafter, Map<String, List<Generation>> runs, double seconds) {
        List<Generation> alone = runs.get(ALONE);
        int n = alone.size();
        int identical = 0;
        for (int i = 0; i < n; i++) {
            int prompt = i;
            identical += runs.entrySet().stream().filter(e -> !e.getKey().equals(ALONE) && !e.getKey().equals(JAVA_LLAMA))
                    .allMatch(e -> e.getValue().get(prompt).sameOutput(alone.get(prompt))) ? 1 : 0;
        }
        int javaLlamaIdentical = 0;
        int javaLlamaShorter = 0;
        String javaLlamaDifference = null;
        for (int i = 0; i < n; i++) {
            String ours = runs.get(IN_PROCESS).get(i).text();
            String theirs = runs.get(JAVA_LLAMA).get(i).text();
            if (theirs.equals(ours)) {
                javaLlamaIdentical++;
            } else if (ours.startsWith(theirs)) {
                javaLlamaShorter++; // its speculation can end a few tokens short of n_predict
            } else if (javaLlamaDifference == null) {
                javaLlamaDifference = difference(i, ours, theirs);
            }
        }
        double[] aloneRate = rates(alone);
        double[] javaLlamaRate = rates(runs.get(JAVA_LLAMA));
        System.out.printf("%n3. greedy tokens/s on the padded target, one request at a time, %s drafting (k = %d, p_min 0), "
                + "%d prompts x %d new tokens, interleaved per prompt; ratios: median of per-prompt pairs%n",
                drafter.label(), settings.k(), n, settings.tokens());
        System.out.printf("  %-36s %9s %11s %16s %8s %8s%n", "variant", "tok/s", "/ target", "/ java-llama.cpp", "alpha", "tau");
        runs.forEach((variant, generations) -> {
            double[] rate = rates(generations);
            boolean ours = !variant.equals(ALONE) && !variant.equals(JAVA_LLAMA);
            Acceptance acceptance = Acceptance.of(generations);
            System.out.printf("  %-36s %9.2f %10.2fx %15.2fx %8s %8s%n", variant, Stats.median(rate), Stats.medianRatio(rate, aloneRate),
                    Stats.medianRatio(rate, javaLlamaRate), ours ? String.format("%.3f", acceptance.alpha()) : "-",
                    ours ? String.format("%.2f", acceptance.tau()) : "-");
        });
        System.out.printf("  outputs token-identical to the target alone: ours %d/%d (every variant of ours); (%.0f s)%n", identical, n, seconds);
        System.out.printf("  java-llama.cpp's text: equal to ours %d/%d, a prefix of ours (ended short) %d/%d%n",
                javaLlamaIdentical, n, javaLlamaShorter, n);
        if (javaLlamaDifference != null) {
            // its batched verification runs other kernels than a one-token decode: near-ties can flip (see docs)
            System.out.printf("  java-llama.cpp's first other difference: %s%n", javaLlamaDifference);
        }
    }

    /** Per concurrency, tokens/s of each variant (medians over waves). */
    private static Map<Integer, Map<String, Double>> concurrency(BenchSettings settings, List<String> prompts, InProcessSpeculation inProcess,
                                    KafkaSpeculation kafka, SpeculationPolicy policy, Map<String, Double> one) throws Exception {
        int[] levels = Arrays.stream(settings.concurrency()).filter(c -> c > 1).toArray();
        Map<Integer, Map<String, Double>> byLevel = new TreeMap<>();
        if (levels.length == 0) {
            return byLevel;
        }
        long started = System.nanoTime();
        SpeculationPolicy automatic = Requests.automatic(BenchDrafters.WALL_CLOCK.name(), settings.k());
        System.out.printf("%n4. throughput with concurrent requests on the padded target (greedy, k = %d), waves of c requests "
                + "sent at once per variant, interleaved per wave; tok/s = all tokens / wave time; ratios: median of per-wave pairs%n", settings.k());
        System.out.printf("  %4s %5s %-36s %9s %12s %16s %8s %9s %9s %9s%n", "c", "waves", "variant", "tok/s", "/ no drafts", "/ same at c=1",
                "tau", "timeouts", "hop p50", "sessions");
        for (int c : levels) {
            Map<String, List<Wave>> variants = new LinkedHashMap<>();
            Map<String, Long> timeouts = new LinkedHashMap<>();
            for (String variant : List.of(NO_DRAFTS, IN_PROCESS, KAFKA, KAFKA_AUTO)) {
                variants.put(variant, new ArrayList<>());
                timeouts.put(variant, 0L);
            }
            Map<String, long[]> decodes = new LinkedHashMap<>(); // decode calls, sessions decoded
            for (int w = 0; w < settings.wavesFor(c); w++) {
                String tag = "c" + c + "w" + w + "p";
                for (String variant : variants.keySet()) {
                    boolean local = variant.equals(IN_PROCESS);
                    SpeculationPolicy chosen = variant.equals(NO_DRAFTS) ? SpeculationPolicy.off() : variant.equals(KAFKA_AUTO) ? automatic : policy;
                    List<GenerateRequest> requests = Requests.greedy(variant.hashCode() + tag, prompts, w * c, c, settings.tokens(), chosen);
                    long timeoutsBefore = local ? inProcess.draftTimeouts() : kafka.draftTimeouts();
                    EngineStatistics before = local ? inProcess.engineStatistics() : kafka.engineStatistics();
                    variants.get(variant).add(local ? inProcess.run(requests) : kafka.run(requests));
                    EngineStatistics after = local ? inProcess.engineStatistics() : kafka.engineStatistics();
                    timeouts.merge(variant, (local ? inProcess.draftTimeouts() : kafka.draftTimeouts()) - timeoutsBefore, Long::sum);
                    long[] counted = decodes.computeIfAbsent(variant, v -> new long[2]);
                    counted[0] += after.decodeCalls() - before.decodeCalls();
                    counted[1] += after.requestsDecoded() - before.requestsDecoded();
                }
            }
            double[] offRate = waveRates(variants.get(NO_DRAFTS));
            Map<String, Double> rates = new LinkedHashMap<>();
            int waves = settings.wavesFor(c);
            variants.forEach((variant, list) -> {
                double[] rate = waveRates(list);
                rates.put(variant, Stats.median(rate));
                Acceptance acceptance = Acceptance.of(all(list));
                rates.put(Goals.TAU + variant, acceptance.tau());
                Double single = variant.equals(NO_DRAFTS) ? null : one.get(variant.equals(KAFKA_AUTO) ? KAFKA : variant);
                long[] counted = decodes.get(variant);
                System.out.printf("  %4d %5d %-36s %9.2f %11.2fx %16s %8s %9s %9s %9.2f%n", c, waves, variant, Stats.median(rate),
                        Stats.medianRatio(rate, offRate), single == null ? "" : String.format("%.2fx", Stats.median(rate) / single),
                        variant.equals(NO_DRAFTS) ? "" : String.format("%.2f", acceptance.tau()),
                        variant.equals(NO_DRAFTS) ? "" : timeouts.get(variant).toString(),
                        variant.equals(NO_DRAFTS) ? "" : String.format("%.2f", Stats.percentile(acceptance.hops(), 0.5)),
                        counted[0] == 0 ? 0 : (double) counted[1] / counted[0]);
            });
            byLevel.put(c, rates);
        }
        System.out.printf("  (verifier without drafts: the verifier-service with speculation off, continuous batching of the target alone; "
                + "\"/ same at c=1\": over the median tok/s of section 3; timeouts: rounds without a draft within the verifier's deadline; "
                + "hop p50: ms the verifier waited per drafted round; sessions: mean sessions per verifier decode; %.0f s)%n", seconds(started));
        return byLevel;
    }

    static final String NO_DRAFTS = "verifier without drafts (over Kafka)";
    static final String KAFKA_AUTO = "ours, over Kafka, AUTO policy";

    private static void roundPause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void printHops(Map<String, List<Generation>> runs, double[] pingPong, int payload, int[] bytes) {
        System.out.printf("%n5. drafter hop per drafted round (the verifier's wait for a draft, drafting included), ms, from section 3%n");
        for (String variant : List.of(IN_PROCESS, KAFKA, KAFKA_UNPIPELINED)) {
            double[] hops = Acceptance.of(runs.get(variant)).hops();
            System.out.printf("  %-44s median %6.2f  p99 %6.2f%n", variant, Stats.percentile(hops, 0.5), Stats.percentile(hops, 0.99));
        }
        for (String variant : List.of(IN_PROCESS, KAFKA, KAFKA_UNPIPELINED)) {
            double[] decodes = runs.get(variant).stream().flatMapToDouble(g -> Arrays.stream(g.verifications())).toArray();
            double[] seconds = runs.get(variant).stream().mapToDouble(Generation::seconds).toArray();
            double[] rounds = runs.get(variant).stream().mapToDouble(Generation::rounds).toArray();
            System.out.printf("  %-44s verification decode median %6.2f ms, p99 %6.2f; wall time per round %6.2f ms%n", variant,
                    Stats.percentile(decodes, 0.5), Stats.percentile(decodes, 0.99),
                    1000 * Arrays.stream(seconds).sum() / Math.max(1, Arrays.stream(rounds).sum()));
        }
        System.out.printf("  %-44s median %6.2f  p99 %6.2f%n", "Kafka ping-pong between the same two JVMs, " + payload + " B",
                Stats.percentile(pingPong, 0.5), Stats.percentile(pingPong, 0.99));
        System.out.printf("  round messages over Kafka: draft request %d B, proposal %d B on average%n", bytes[0], bytes[1]);
        printStages(IN_PROCESS, runs.get(IN_PROCESS));
        printStages(KAFKA_UNPIPELINED, runs.get(KAFKA_UNPIPELINED));
        printStages(KAFKA, runs.get(KAFKA));
    }

    /** Where the hop went, stage by stage, from the timestamps the round messages carry (p50 / p99, ms). */
    private static void printStages(String variant, List<Generation> runs) {
        List<HopStages> stages = runs.stream().flatMap(g -> g.stages().stream()).toList();
        if (stages.isEmpty()) {
            return;
        }
        System.out.printf("  stages, %s (%d rounds), ms p50 / p99:%n", variant, stages.size());
        Map<String, java.util.function.ToDoubleFunction<HopStages>> columns = new LinkedHashMap<>();
        columns.put("to drafter (verifier send .. drafter listener)", HopStages::toDrafter);
        columns.put("drafter wait (listener .. drafting starts)", HopStages::drafterWait);
        columns.put("drafting", HopStages::drafting);
        columns.put("drafter send (draft .. producer)", HopStages::drafterSend);
        columns.put("to verifier (producer .. verifier listener)", HopStages::toVerifier);
        columns.put("Kafka's share (to drafter + to verifier)", HopStages::transport);
        columns.put("whole hop by the stamps", HopStages::total);
        columns.forEach((name, column) -> {
            double[] values = stages.stream().mapToDouble(column).toArray();
            System.out.printf("    %-50s %7.2f / %7.2f%n", name, Stats.percentile(values, 0.5), Stats.percentile(values, 0.99));
        });
    }

    // ---- 6. automatic policy --------------------------------------------------------------------------------------

    private static void automaticPolicy(BenchSettings settings, BenchModels models, Model target, List<String> prompts,
                                        ScheduledExecutorService timer) throws Exception {
        long started = System.nanoTime();
        System.out.printf("%n6. automatic policy (mode AUTO, k <= %d) per drafter on the padded target, in-process, one request at a time, "
                + "%d prompts interleaved with the target alone%n", settings.k(), settings.prompts());
        System.out.printf("  %-22s %9s %11s %8s %8s%n", "drafter", "tok/s", "/ target", "alpha", "tau");
        double worst = Double.POSITIVE_INFINITY;
        try (TargetAlone alone = new TargetAlone(target, settings.threads())) {
            for (DrafterCase drafter : BenchDrafters.ALL) {
                try (InProcessSpeculation speculation = new InProcessSpeculation(target, 1, 64, settings.threads(),
                        settings.draftTimeout(), List.of(drafter.opener().open(models, 1)), drafter.treeBranches(), timer)) {
                    SpeculationPolicy policy = Requests.automatic(drafter.name(), settings.k());
                    speculation.run(List.of(Requests.of("warm", prompts.get(settings.prompts()), WARM_TOKENS, policy, 0, 0)));
                    List<Generation> aloneRuns = new ArrayList<>();
                    List<Generation> autoRuns = new ArrayList<>();
                    for (int i = 0; i < settings.prompts(); i++) {
                        aloneRuns.add(alone.generate("alone" + i, prompts.get(i), settings.tokens()));
                        autoRuns.add(speculation.run(List.of(Requests.of("auto" + i, prompts.get(i), settings.tokens(), policy, 0, i)))
                                .generations().getFirst());
                    }
                    double[] autoRate = rates(autoRuns);
                    Acceptance all = Acceptance.of(autoRuns);
                    double ratio = Stats.medianRatio(autoRate, rates(aloneRuns));
                    worst = Math.min(worst, ratio);
                    System.out.printf("  %-22s %9.2f %10.2fx %8.3f %8.2f%n", drafter.label(), Stats.median(autoRate), ratio,
                            all.alpha(), all.tau());
                }
            }
        }
        System.out.printf("  goal (issue 4): every drafter >= 0.95x the target alone: worst %.2fx, %s; (%.0f s)%n", worst,
                worst >= 0.95 ? "met" : "not met", seconds(started));
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** Where two texts part: the prompt, the character, and a few characters of each from there. */
    private static String difference(int prompt, String ours, String theirs) {
        int at = 0;
        while (at < ours.length() && at < theirs.length() && ours.charAt(at) == theirs.charAt(at)) {
            at++;
        }
        return "prompt " + prompt + ", character " + at + " of " + ours.length() + ": ours \"" + excerpt(ours, at)
                + "\", java-llama.cpp \"" + excerpt(theirs, at) + "\"";
    }

    private static String excerpt(String text, int at) {
        int from = Math.max(0, at - 12);
        return text.substring(from, Math.min(text.length(), at + 24)).replace("\n", "\\n");
    }

    private static List<Drafter> open(List<DrafterCase> cases, BenchModels models, int sequences) {
        return cases.stream().map(c -> c.opener().open(models, sequences)).toList();
    }

    private static double[] rates(List<Generation> generations) {
        return generations.stream().mapToDouble(Generation::tokensPerSecond).toArray();
    }

    private static double[] waveRates(List<Wave> waves) {
        return waves.stream().mapToDouble(Wave::tokensPerSecond).toArray();
    }

    private static List<Generation> all(List<Wave> waves) {
        return waves.stream().flatMap(w -> w.generations().stream()).toList();
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
