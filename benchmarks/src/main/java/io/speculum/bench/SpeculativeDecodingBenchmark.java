package io.speculum.bench;

import io.speculum.drafter.Drafter;
import io.speculum.llama.CostPadder;
import io.speculum.llama.CostPadding;
import io.speculum.llama.Model;
import io.speculum.llama.PaddedTarget;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.SpeculationPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
                if (settings.runs("cost")) {
                    costCurve(settings, target);
                }
                if (settings.runs("speed")) {
                    Path drafterFile = models.derivedFile(BenchDrafters.WALL_CLOCK_FORMAT, 0);
                    wallClock(settings, models, target, padded.file(), drafterFile, prompts, timer, work);
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

    private static void costCurve(BenchSettings settings, Model target) {
        long started = System.nanoTime();
        System.out.printf("%n2. one decode of k tokens on the padded target (logits at every position), %d thread(s), "
                + "median of %d, relative to k = 1%n  %-18s", settings.threads(), settings.costRepeats(), "batch invariance");
        for (int k : COST_KS) {
            System.out.printf(" %7s", "k=" + k);
        }
        System.out.printf(" %10s%n", "k=1 (ms)");
        for (boolean invariant : new boolean[] {true, false}) {
            double[] micros = DecodeCost.micros(target, settings.threads(), invariant, COST_KS, settings.costRepeats());
            System.out.printf("  %-18s", invariant ? "on (the verifier)" : "off");
            for (double m : micros) {
                System.out.printf(" %6.2fx", m / micros[0]);
            }
            System.out.printf(" %10.2f%n", micros[0] / 1000);
        }
        System.out.printf("  (%.0f s)%n", seconds(started));
    }

    // ---- 3.-5. wall clock -----------------------------------------------------------------------------------------

    private static void wallClock(BenchSettings settings, BenchModels models, Model target, Path targetFile, Path drafterFile,
                                  List<String> prompts, ScheduledExecutorService timer, Path work) throws Exception {
        int k = settings.k();
        int sessions = Arrays.stream(settings.concurrency()).max().orElse(1);
        int batchSize = Math.max(64, sessions * (k + 1));
        DrafterCase drafter = BenchDrafters.WALL_CLOCK;
        SpeculationPolicy policy = Requests.fixed(drafter.name(), k);
        long setupStarted = System.nanoTime();
        try (TargetAlone alone = new TargetAlone(target, settings.threads());
             InProcessSpeculation inProcess = new InProcessSpeculation(target, sessions, batchSize, settings.threads(),
                     settings.draftTimeout(), List.of(drafter.opener().open(models, sessions)), timer);
             KafkaSpeculation kafka = new KafkaSpeculation(targetFile, drafterFile, drafter.name(), sessions, batchSize,
                     settings.threads(), settings.draftTimeout(), work)) {
            double[] pingPong = kafka.pingPong(settings.quick() ? 100 : 500);
            List<Generation> aloneRuns = new ArrayList<>();
            List<Generation> javaLlamaRuns = new ArrayList<>();
            List<Generation> inProcessRuns = new ArrayList<>();
            List<Generation> kafkaRuns = new ArrayList<>();
            double[] kafkaRatios;
            try (JavaLlamaSpeculation javaLlama = new JavaLlamaSpeculation(targetFile, drafterFile, k, 0f, settings.threads())) {
                System.out.printf("%n   (set-up: Kafka broker, verifier-service, drafter-service in its own JVM, java-llama.cpp: %.0f s)%n",
                        seconds(setupStarted));
                long started = System.nanoTime();
                for (int w = 0; w < Math.max(settings.warmups(), KAFKA_WARMUPS); w++) {
                    String prompt = prompts.get(settings.prompts() + w % Math.max(1, settings.warmups()));
                    if (w < settings.warmups()) {
                        alone.generate("warm", prompt, WARM_TOKENS);
                        javaLlama.generate("warm", prompt, WARM_TOKENS);
                        inProcess.run(List.of(Requests.of("warm", prompt, WARM_TOKENS, policy, 0, 0)));
                    }
                    kafka.run(List.of(Requests.of("warm", prompt, WARM_TOKENS, policy, 0, 0)));
                }
                long inProcessTimeouts = inProcess.draftTimeouts();
                long kafkaTimeouts = kafka.draftTimeouts();
                for (int i = 0; i < settings.prompts(); i++) {
                    String prompt = prompts.get(i);
                    aloneRuns.add(alone.generate("alone" + i, prompt, settings.tokens()));
                    javaLlamaRuns.add(javaLlama.generate("jl" + i, prompt, settings.tokens()));
                    inProcessRuns.add(inProcess.run(List.of(Requests.of("inproc" + i, prompt, settings.tokens(), policy, 0, i)))
                            .generations().getFirst());
                    kafkaRuns.add(kafka.run(List.of(Requests.of("kafka" + i, prompt, settings.tokens(), policy, 0, i)))
                            .generations().getFirst());
                }
                kafkaRatios = printOneAtATime(settings, drafter, aloneRuns, javaLlamaRuns, inProcessRuns, kafkaRuns, seconds(started));
                System.out.printf("  rounds without a draft in time (verifier's draft timeout): in-process %d, over Kafka %d%n",
                        inProcess.draftTimeouts() - inProcessTimeouts, kafka.draftTimeouts() - kafkaTimeouts);
            }
            double oneInProcess = Stats.median(inProcessRuns, Generation::tokensPerSecond);
            double oneKafka = Stats.median(kafkaRuns, Generation::tokensPerSecond);
            Map<Integer, Double> kafkaScaling = concurrency(settings, prompts, inProcess, kafka, policy, oneInProcess, oneKafka);
            printHops(inProcessRuns, kafkaRuns, pingPong);
            printGoals(settings, kafkaRatios, kafkaScaling);
        }
    }

    /** Returns ours over Kafka relative to the target alone and to java-llama.cpp's speculation. */
    private static double[] printOneAtATime(BenchSettings settings, DrafterCase drafter, List<Generation> alone,
                                        List<Generation> javaLlama, List<Generation> inProcess, List<Generation> kafka,
                                        double seconds) {
        int n = alone.size();
        int identical = 0;
        int javaLlamaIdentical = 0;
        int javaLlamaShorter = 0;
        int javaLlamaCountAgrees = 0;
        String javaLlamaDifference = null;
        for (int i = 0; i < n; i++) {
            boolean same = inProcess.get(i).sameOutput(alone.get(i)) && kafka.get(i).sameOutput(alone.get(i));
            identical += same ? 1 : 0;
            String ours = inProcess.get(i).text();
            Generation jl = javaLlama.get(i);
            if (jl.text().equals(ours)) {
                javaLlamaIdentical++;
                javaLlamaCountAgrees += jl.tokens() == inProcess.get(i).tokens() ? 1 : 0;
            } else if (ours.startsWith(jl.text())) {
                javaLlamaShorter++; // its speculation can end a few tokens short of n_predict
            } else if (javaLlamaDifference == null) {
                javaLlamaDifference = difference(i, ours, jl.text());
            }
        }
        double[] aloneRate = rates(alone);
        double[] javaLlamaRate = rates(javaLlama);
        double[] inProcessRate = rates(inProcess);
        double[] kafkaRate = rates(kafka);
        System.out.printf("%n3. greedy tokens/s on the padded target, one request at a time, %s drafting (k = %d, p_min 0), "
                + "%d prompts x %d new tokens, interleaved per prompt; ratios: median of per-prompt pairs%n",
                drafter.label(), settings.k(), n, settings.tokens());
        System.out.printf("  %-34s %9s %11s %16s %8s %8s%n", "variant", "tok/s", "/ target", "/ java-llama.cpp", "alpha", "tau");
        System.out.printf("  %-34s %9.2f %10.2fx %16s %8s %8s%n", "target alone (decode loop)", Stats.median(aloneRate), 1.0, "", "", "");
        System.out.printf("  %-34s %9.2f %10.2fx %15.2fx %8s %8s%n", "java-llama.cpp built-in speculation",
                Stats.median(javaLlamaRate), Stats.medianRatio(javaLlamaRate, aloneRate), 1.0, "-", "-");
        Acceptance in = Acceptance.of(inProcess);
        Acceptance over = Acceptance.of(kafka);
        System.out.printf("  %-34s %9.2f %10.2fx %15.2fx %8.3f %8.2f%n", "ours, in-process", Stats.median(inProcessRate),
                Stats.medianRatio(inProcessRate, aloneRate), Stats.medianRatio(inProcessRate, javaLlamaRate), in.alpha(), in.tau());
        System.out.printf("  %-34s %9.2f %10.2fx %15.2fx %8.3f %8.2f%n", "ours, over Kafka (2 processes)", Stats.median(kafkaRate),
                Stats.medianRatio(kafkaRate, aloneRate), Stats.medianRatio(kafkaRate, javaLlamaRate), over.alpha(), over.tau());
        System.out.printf("  outputs token-identical to the target alone: ours %d/%d (in-process and Kafka); (%.0f s)%n",
                identical, n, seconds);
        System.out.printf("  java-llama.cpp's text: equal to ours %d/%d (its stream's output count = our token count on %d of them), "
                + "a prefix of ours (ended short) %d/%d; its tokens = outputs - 1 (the last carries the stop reason)%n",
                javaLlamaIdentical, n, javaLlamaCountAgrees, javaLlamaShorter, n);
        if (javaLlamaDifference != null) {
            // its batched verification runs other kernels than a one-token decode: near-ties can flip (see docs)
            System.out.printf("  java-llama.cpp's first other difference: %s%n", javaLlamaDifference);
        }
        return new double[] {Stats.medianRatio(kafkaRate, aloneRate), Stats.medianRatio(kafkaRate, javaLlamaRate)};
    }

    /** Returns, per concurrency, ours over Kafka relative to ours over Kafka one request at a time. */
    private static Map<Integer, Double> concurrency(BenchSettings settings, List<String> prompts, InProcessSpeculation inProcess,
                                    KafkaSpeculation kafka, SpeculationPolicy policy, double oneInProcess, double oneKafka)
            throws Exception {
        int[] levels = Arrays.stream(settings.concurrency()).filter(c -> c > 1).toArray();
        Map<Integer, Double> kafkaScaling = new TreeMap<>();
        if (levels.length == 0) {
            return kafkaScaling;
        }
        long started = System.nanoTime();
        System.out.printf("%n4. throughput with concurrent requests on the padded target (greedy, k = %d), waves of c requests "
                + "sent at once per variant, interleaved per wave; tok/s = all tokens / wave time; ratios: median of per-wave pairs%n", settings.k());
        System.out.printf("  %4s %5s %-30s %9s %12s %16s %8s %9s %9s%n", "c", "waves", "variant", "tok/s", "/ no drafts", "/ same at c=1", "tau",
                "timeouts", "hop p50");
        for (int c : levels) {
            List<Wave> off = new ArrayList<>();
            List<Wave> in = new ArrayList<>();
            List<Wave> over = new ArrayList<>();
            long inTimeouts = 0;
            long overTimeouts = 0;
            for (int w = 0; w < settings.wavesFor(c); w++) {
                off.add(inProcess.run(Requests.greedy("off" + c + "w" + w + "p", prompts, w * c, c, settings.tokens(), SpeculationPolicy.off())));
                long before = inProcess.draftTimeouts();
                in.add(inProcess.run(Requests.greedy("in" + c + "w" + w + "p", prompts, w * c, c, settings.tokens(), policy)));
                inTimeouts += inProcess.draftTimeouts() - before;
                before = kafka.draftTimeouts();
                over.add(kafka.run(Requests.greedy("kafka" + c + "w" + w + "p", prompts, w * c, c, settings.tokens(), policy)));
                overTimeouts += kafka.draftTimeouts() - before;
            }
            double[] offRate = waveRates(off);
            double[] inRate = waveRates(in);
            double[] overRate = waveRates(over);
            int waves = settings.wavesFor(c);
            System.out.printf("  %4d %5d %-30s %9.2f %11.2fx %16s %8s%n", c, waves, "verifier without drafts", Stats.median(offRate), 1.0, "", "");
            Acceptance inAll = Acceptance.of(all(in));
            Acceptance overAll = Acceptance.of(all(over));
            System.out.printf("  %4d %5d %-30s %9.2f %11.2fx %15.2fx %8.2f %9d %9.2f%n", c, waves, "ours, in-process", Stats.median(inRate),
                    Stats.medianRatio(inRate, offRate), Stats.median(inRate) / oneInProcess, inAll.tau(), inTimeouts,
                    Stats.percentile(inAll.hops(), 0.5));
            System.out.printf("  %4d %5d %-30s %9.2f %11.2fx %15.2fx %8.2f %9d %9.2f%n", c, waves, "ours, over Kafka", Stats.median(overRate),
                    Stats.medianRatio(overRate, offRate), Stats.median(overRate) / oneKafka, overAll.tau(), overTimeouts,
                    Stats.percentile(overAll.hops(), 0.5));
            kafkaScaling.put(c, Stats.median(overRate) / oneKafka);
        }
        System.out.printf("  (\"/ same at c=1\": median throughput here over the median tok/s of section 3; timeouts: rounds without a "
                + "draft within the verifier's deadline; hop p50: ms per drafted round; %.0f s)%n", seconds(started));
        return kafkaScaling;
    }

    /** Issue 4's goals beside what this run measured (the automatic policy's goal is checked in section 6). */
    private static void printGoals(BenchSettings settings, double[] kafkaRatios, Map<Integer, Double> kafkaScaling) {
        System.out.printf("%ngoals (issue 4) and this run%s%n", settings.quick() ? " (a quick run: a small target and few prompts, "
                + "not a measurement)" : "");
        System.out.printf("  %-58s %7.2fx  %s%n", "over Kafka / target alone >= 2.3x", kafkaRatios[0], kafkaRatios[0] >= 2.3 ? "met" : "not met");
        System.out.printf("  %-58s %7.2fx  %s%n", "over Kafka / java-llama.cpp's built-in speculation >= 1.5x", kafkaRatios[1],
                kafkaRatios[1] >= 1.5 ? "met" : "not met");
        Double sixteen = kafkaScaling.get(16);
        if (sixteen != null) {
            System.out.printf("  %-58s %7.2fx  %s%n", "16 concurrent over Kafka / one at a time >= 5x", sixteen, sixteen >= 5 ? "met" : "not met");
        }
    }

    private static void printHops(List<Generation> inProcess, List<Generation> kafka, double[] pingPong) {
        double[] in = Acceptance.of(inProcess).hops();
        double[] over = Acceptance.of(kafka).hops();
        System.out.printf("%n5. drafter hop per round (ask for a draft .. receive it, drafting included), ms, from section 3%n");
        System.out.printf("  %-34s median %6.2f  p99 %6.2f%n", "in-process", Stats.percentile(in, 0.5), Stats.percentile(in, 0.99));
        System.out.printf("  %-34s median %6.2f  p99 %6.2f%n", "over Kafka", Stats.percentile(over, 0.5), Stats.percentile(over, 0.99));
        System.out.printf("  %-34s median %6.2f%n", "Kafka's share (difference)", Stats.percentile(over, 0.5) - Stats.percentile(in, 0.5));
        System.out.printf("  %-34s median %6.2f  p99 %6.2f%n", "bare Kafka ping-pong, 2 KB", Stats.percentile(pingPong, 0.5),
                Stats.percentile(pingPong, 0.99));
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
