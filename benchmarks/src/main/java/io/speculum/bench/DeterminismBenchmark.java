package io.speculum.bench;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.CostPadder;
import io.speculum.llama.CostPadding;
import io.speculum.llama.GreedyPaths;
import io.speculum.llama.Model;
import io.speculum.llama.PaddedTarget;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.SpeculationPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The two modes of the verifier side by side in one run ({@code speculum.verifier.deterministic} off and on):
 * <ol>
 *   <li>flips: over {@code prompts-a.jsonl} (greedy, {@code bench.tokens} tokens, stories260K), how many outputs
 *       differ from the target alone in a context of its own (same mode) when the verifier serves them eight at a
 *       time without drafts (twice, grouped differently: the cache in other states) and with each drafter;</li>
 *   <li>cost: one decode of n tokens on the padded target in each mode;</li>
 *   <li>speed: greedy tokens/s over Kafka (verifier-service and a drafter-service JVM), automatic policy, Q8_0
 *       drafter, padded target, one request at a time, the two modes interleaved per prompt.</li>
 *   <li>ties: the near-tie prompts served twenty times under every condition of the flips, per mode.</li>
 * </ol>
 * {@code -Dbench.determinism.sections=flips,ties,cost,speed}, {@code -Dbench.flip-prompts=N} (default all).
 */
public final class DeterminismBenchmark {

    private static final int WAVE = 8;
    private static final int[] COST_NS = {1, 2, 4, 8, 9, 16};

    public static void main(String[] args) throws Exception {
        BenchSettings settings = BenchSettings.fromSystemProperties();
        Set<String> sections = Set.of(BenchSettings.property("bench.determinism.sections", "flips,ties,cost,speed").split("\\s*,\\s*"));
        Path shared = Path.of(System.getProperty("speculum.shared.dir", "../shared"));
        Path stories = shared.resolve("models/stories260K.gguf");
        List<String> all = Prompts.first(shared.resolve("data/tinystories/prompts-a.jsonl"), 447);
        Path work = Files.createTempDirectory("speculum-bench");
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("bench-timer").unstarted(r));
        System.out.printf("%nSpeculum determinism benchmark, %s, %d cores, %d compute thread(s)%ncommand: %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), settings.threads(), settings.commandLine());
        try (BenchModels models = new BenchModels(stories, work)) {
            if (sections.contains("flips")) {
                int n = Integer.parseInt(BenchSettings.property("bench.flip-prompts", Integer.toString(all.size())));
                flips(settings, models, models.stories(), "1. stories260K, prompts-a.jsonl", all.subList(0, Math.min(n, all.size())),
                        conditions(), new boolean[] {true, true}, timer);
            }
            if (sections.contains("flips-more")) {
                flips(settings, models, models.stories(), "1c. stories260K, prompts-a.jsonl, the other drafters", all, moreConditions(),
                        new boolean[] {false, true}, timer);
            }
            if (sections.contains("ties")) {
                ties(settings, models, all, timer);
            }
            if (sections.contains("cost") || sections.contains("speed") || sections.contains("padded-flips")) {
                int[] shape = settings.padded();
                PaddedTarget padded = new CostPadder().pad(new CostPadding(stories, work.resolve("padded.gguf"), shape[0], shape[1], shape[2]));
                System.out.printf("%npadded target: hidden %d, FFN %d, %d blocks: %.1fM parameters%n", shape[0], shape[1], shape[2],
                        padded.parameters() / 1e6);
                try (Model target = Model.load(padded.file())) {
                    if (sections.contains("padded-flips")) {
                        List<String> prompts = new ArrayList<>(nearTiePrompts(settings, models.stories(), all));
                        all.subList(0, 32).stream().filter(p -> !prompts.contains(p)).forEach(prompts::add);
                        Map<String, DrafterCase> drafters = conditions();
                        drafters.remove("no drafts, 8 at a time, regrouped");
                        flips(settings, models, target, "1d. padded target, stories260K's near-tie prompts and the first 32 of prompts-a.jsonl", prompts,
                                drafters, new boolean[] {false, true}, timer);
                    }
                    if (sections.contains("cost")) {
                        cost(settings, target);
                    }
                    if (sections.contains("speed")) {
                        speed(settings, models, target, padded.file(), all, work);
                    }
                }
            }
        } finally {
            timer.shutdownNow();
        }
        System.out.flush();
        System.exit(0); // java-llama.cpp's native thread (see NATIVE.md)
    }

    private static ContextOptions contextOptions(boolean deterministic) {
        return ContextOptions.defaults(BenchModels.SEQUENCE_CONTEXT).withBatchSize(BenchModels.SEQUENCE_CONTEXT).withBatchInvariance(true)
                .withDeterminism(deterministic);
    }

    // ---- 1. flips -------------------------------------------------------------------------------------------------

    /** The conditions a greedy request is served under: no drafts (twice, grouped differently) and each drafter. */
    private static Map<String, DrafterCase> conditions() {
        Map<String, DrafterCase> drafters = new LinkedHashMap<>();
        drafters.put("no drafts, 8 at a time", null);
        drafters.put("no drafts, 8 at a time, regrouped", null);
        drafters.put("Q8_0 chain, k = 4", BenchDrafters.ALL.get(0));
        drafters.put("Q8_0 tree (4 branches), k = 4", BenchDrafters.ALL.get(6));
        drafters.put("hybrid tree (4 branches), k = 8", BenchDrafters.ALL.get(8));
        drafters.put("n-gram chain, k = 8", BenchDrafters.ALL.get(3));
        return drafters;
    }

    /** The other drafters, for the deterministic mode only (section 1c). */
    private static Map<String, DrafterCase> moreConditions() {
        Map<String, DrafterCase> drafters = new LinkedHashMap<>();
        drafters.put("2-layer copy chain, k = 8", BenchDrafters.ALL.get(1));
        drafters.put("1-layer copy chain, k = 4", BenchDrafters.ALL.get(2));
        drafters.put("token recycling chain, k = 4", BenchDrafters.ALL.get(4));
        drafters.put("hybrid chain, k = 8", BenchDrafters.ALL.get(5));
        drafters.put("token recycling tree (4 branches), k = 4", BenchDrafters.ALL.get(7));
        return drafters;
    }

    private static InProcessSpeculation verifier(BenchSettings settings, BenchModels models, Model target, DrafterCase drafter,
                                                 boolean deterministic, ScheduledExecutorService timer) {
        return new InProcessSpeculation(target, WAVE, 128, target == models.stories() ? 1 : settings.threads(), settings.draftTimeout(),
                List.of((drafter == null ? BenchDrafters.ALL.get(3) : drafter).opener().open(models, WAVE)),
                drafter == null ? 1 : drafter.treeBranches(), deterministic, timer);
    }

    private static SpeculationPolicy policy(String condition, DrafterCase drafter) {
        return drafter == null ? SpeculationPolicy.off() : Requests.fixed(drafter.name(), condition.endsWith("k = 4") ? 4 : 8);
    }

    /**
     * @param target     stories260K or the padded target
     * @param modes      which modes to run (fast, deterministic)
     */
    private static void flips(BenchSettings settings, BenchModels models, Model target, String title, List<String> prompts,
                              Map<String, DrafterCase> drafters, boolean[] modes, ScheduledExecutorService timer) throws Exception {
        long started = System.nanoTime();
        Map<String, int[]> differing = new LinkedHashMap<>();
        drafters.keySet().forEach(name -> differing.put(name, new int[2]));
        for (int mode = 0; mode < 2; mode++) {
            boolean deterministic = mode == 1;
            if (!modes[mode]) {
                continue;
            }
            List<int[]> reference = new ArrayList<>();
            try (TargetAlone alone = new TargetAlone(target, target == models.stories() ? 1 : settings.threads(), contextOptions(deterministic))) {
                for (int i = 0; i < prompts.size(); i++) {
                    reference.add(alone.generate("ref" + i, prompts.get(i), settings.tokens()).tokenIds());
                }
            }
            int condition = 0;
            for (Map.Entry<String, DrafterCase> entry : drafters.entrySet()) {
                SpeculationPolicy policy = policy(entry.getKey(), entry.getValue());
                try (InProcessSpeculation verifier = verifier(settings, models, target, entry.getValue(), deterministic, timer)) {
                    int offset = condition == 1 ? 3 : 0; // the second run without drafts groups the prompts differently
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < prompts.size(); i++) {
                        order.add((i + offset) % prompts.size());
                    }
                    for (int from = 0; from < order.size(); from += WAVE) {
                        List<Integer> wave = order.subList(from, Math.min(order.size(), from + WAVE));
                        List<GenerateRequest> requests = wave.stream().map(i -> Requests.of("f" + i, prompts.get(i), settings.tokens(), policy, 0, i)).toList();
                        List<Generation> generations = verifier.run(requests).generations();
                        for (int j = 0; j < wave.size(); j++) {
                            differing.get(entry.getKey())[mode] += Arrays.equals(generations.get(j).tokenIds(), reference.get(wave.get(j))) ? 0 : 1;
                        }
                    }
                }
                condition++;
            }
        }
        System.out.printf("%n%s: greedy outputs that differ from the target alone in a context of its own (same mode), "
                + "%d prompts x %d tokens, served %d at a time by the in-process verifier%n", title, prompts.size(), settings.tokens(), WAVE);
        System.out.printf("  %-40s %18s %18s%n", "condition", "fast mode", "deterministic");
        differing.forEach((name, counts) -> System.out.printf("  %-40s %18s %18s%n", name, modes[0] ? counts[0] + " / " + prompts.size() : "-",
                modes[1] ? counts[1] + " / " + prompts.size() : "-"));
        System.out.printf("  (%.0f s)%n", (System.nanoTime() - started) / 1e9);
    }

    /** The prompts whose greedy path on {@code model} passes a near-tie (two best logits within 1e-4). */
    private static List<String> nearTiePrompts(BenchSettings settings, Model model, List<String> prompts) {
        return GreedyPaths.of(model, prompts.stream().map(p -> model.vocabulary().tokenize(p, true, false)).toList(), settings.tokens()).stream()
                .filter(p -> p.closestGap() < 1e-4f).map(p -> prompts.get(p.prompt())).toList();
    }

    // ---- 1b. near-ties, repeated -------------------------------------------------------------------------------

    private static final int TIE_REPEATS = 20;

    /**
     * The prompts whose greedy path (deterministic, target alone) passes a near-tie (two best logits within 1e-4; at
     * least the two closest calls), each served {@value #TIE_REPEATS} times under every condition beside five other
     * prompts that change with each repeat: outputs that differ from the target alone, per mode.
     */
    private static void ties(BenchSettings settings, BenchModels models, List<String> prompts, ScheduledExecutorService timer) throws Exception {
        long started = System.nanoTime();
        Model stories = models.stories();
        List<GreedyPaths.Path> paths = GreedyPaths.of(stories, prompts.stream().map(p -> stories.vocabulary().tokenize(p, true, false)).toList(),
                settings.tokens());
        List<GreedyPaths.Path> sorted = paths.stream().sorted(java.util.Comparator.comparingDouble(GreedyPaths.Path::closestGap)).toList();
        List<GreedyPaths.Path> ties = sorted.stream().filter(p -> p.closestGap() < 1e-4f).toList();
        ties = ties.size() >= 2 ? ties : sorted.subList(0, 2);
        Map<String, DrafterCase> drafters = conditions();
        int[][] differing = new int[ties.size()][2];
        for (int mode = 0; mode < 2; mode++) {
            boolean deterministic = mode == 1;
            int[][] reference = new int[ties.size()][];
            try (TargetAlone alone = new TargetAlone(stories, 1, contextOptions(deterministic))) {
                for (int t = 0; t < ties.size(); t++) {
                    reference[t] = alone.generate("ref", prompts.get(ties.get(t).prompt()), settings.tokens()).tokenIds();
                }
            }
            for (Map.Entry<String, DrafterCase> entry : drafters.entrySet()) {
                SpeculationPolicy policy = policy(entry.getKey(), entry.getValue());
                try (InProcessSpeculation verifier = verifier(settings, models, stories, entry.getValue(), deterministic, timer)) {
                    for (int repeat = 0; repeat < TIE_REPEATS; repeat++) {
                        for (int t = 0; t < ties.size(); t++) {
                            List<GenerateRequest> wave = new ArrayList<>();
                            for (int o = 1; o <= 5; o++) {
                                int other = (ties.get(t).prompt() + 31 * repeat + 7 * o) % prompts.size();
                                wave.add(Requests.of("o" + other, prompts.get(other), settings.tokens(), policy, 0, other));
                            }
                            wave.add(repeat % 2, Requests.of("tie", prompts.get(ties.get(t).prompt()), settings.tokens(), policy, 0, t));
                            Generation tie = verifier.run(wave).generations().get(repeat % 2);
                            differing[t][mode] += Arrays.equals(tie.tokenIds(), reference[t]) ? 0 : 1;
                        }
                    }
                }
            }
        }
        int runs = TIE_REPEATS * drafters.size();
        System.out.printf("%n1b. near-ties, stories260K: %d of %d greedy paths pass a step whose two best logits differ by < 1e-4; each "
                + "replayed %d times x %d conditions (those of section 1) beside 5 other prompts that change per repeat%n",
                paths.stream().filter(p -> p.closestGap() < 1e-4f).count(), paths.size(), TIE_REPEATS, drafters.size());
        System.out.printf("  %-8s %6s %12s %18s %18s%n", "prompt", "step", "gap", "fast: differ", "deterministic");
        for (int t = 0; t < ties.size(); t++) {
            System.out.printf("  %-8d %6d %12.3g %11d / %-4d %11d / %-4d%n", ties.get(t).prompt(), ties.get(t).closestStep(),
                    ties.get(t).closestGap(), differing[t][0], runs, differing[t][1], runs);
        }
        System.out.printf("  (%.0f s)%n", (System.nanoTime() - started) / 1e9);
    }

    // ---- 2. cost --------------------------------------------------------------------------------------------------

    private static void cost(BenchSettings settings, Model target) {
        String sentence = "Once upon a time, there was a little girl named Lily. ";
        for (int sentences : new int[] {1, 12}) {
            int[] prompt = target.vocabulary().tokenize(sentence.repeat(sentences).strip(), true, false);
            cost(settings, target, prompt);
        }
    }

    private static void cost(BenchSettings settings, Model target, int[] prompt) {
        System.out.printf("%n2. one decode of n tokens on the padded target after %d cached tokens, %d thread(s), median of %d, ms%n  %-28s",
                prompt.length, settings.threads(), settings.costRepeats(), "mode");
        for (int n : COST_NS) {
            System.out.printf(" %8s", "n=" + n);
        }
        System.out.println();
        double[][] micros = new double[3][];
        String[] names = {"plain (invariance off)", "fast (batch-invariant)", "deterministic"};
        ContextOptions[] modes = {contextOptions(false).withBatchInvariance(false), contextOptions(false), contextOptions(true)};
        for (int m = 0; m < modes.length; m++) {
            micros[m] = DecodeCost.micros(target, modes[m].withThreads(settings.threads()), prompt, COST_NS, 2, settings.costRepeats());
            System.out.printf("  %-28s", names[m]);
            for (double v : micros[m]) {
                System.out.printf(" %8.2f", v / 1000);
            }
            System.out.println();
        }
        System.out.printf("  %-28s", "deterministic / fast");
        for (int i = 0; i < COST_NS.length; i++) {
            System.out.printf(" %7.2fx", micros[2][i] / micros[1][i]);
        }
        System.out.println();
    }

    // ---- 3. speed -------------------------------------------------------------------------------------------------

    private static void speed(BenchSettings settings, BenchModels models, Model target, Path targetFile, List<String> prompts, Path work)
            throws Exception {
        DrafterCase drafter = BenchDrafters.WALL_CLOCK;
        Path drafterFile = models.derivedFile(BenchDrafters.WALL_CLOCK_FORMAT, 0);
        SpeculationPolicy automatic = Requests.automatic(drafter.name(), settings.k());
        String[] variants = {"target alone, fast", "target alone, deterministic", "over Kafka AUTO, fast", "over Kafka AUTO, deterministic"};
        Map<String, List<Generation>> runs = new LinkedHashMap<>();
        for (String v : variants) {
            runs.put(v, new ArrayList<>());
        }
        long started = System.nanoTime();
        Files.createDirectories(work.resolve("fast"));
        Files.createDirectories(work.resolve("deterministic"));
        try (TargetAlone fastAlone = new TargetAlone(target, settings.threads(), contextOptions(false));
             TargetAlone deterministicAlone = new TargetAlone(target, settings.threads(), contextOptions(true));
             KafkaSpeculation fast = new KafkaSpeculation(targetFile, drafterFile, drafter.name(), 1, 64, settings.threads(),
                     settings.draftTimeout(), false, work.resolve("fast"));
             KafkaSpeculation deterministic = new KafkaSpeculation(targetFile, drafterFile, drafter.name(), 1, 64, settings.threads(),
                     settings.draftTimeout(), true, work.resolve("deterministic"))) {
            for (int w = 0; w < Math.max(4, settings.warmups()); w++) {
                String prompt = prompts.get(prompts.size() - 1 - w);
                fast.run(List.of(Requests.of("warm", prompt, 32, automatic, 0, 0)));
                deterministic.run(List.of(Requests.of("warm", prompt, 32, automatic, 0, 0)));
            }
            for (int i = 0; i < settings.prompts(); i++) {
                String prompt = prompts.get(i);
                runs.get(variants[0]).add(fastAlone.generate("a" + i, prompt, settings.tokens()));
                runs.get(variants[1]).add(deterministicAlone.generate("d" + i, prompt, settings.tokens()));
                runs.get(variants[2]).add(fast.run(List.of(Requests.of("kf" + i, prompt, settings.tokens(), automatic, 0, i))).generations().getFirst());
                runs.get(variants[3]).add(deterministic.run(List.of(Requests.of("kd" + i, prompt, settings.tokens(), automatic, 0, i))).generations().getFirst());
            }
        }
        System.out.printf("%n3. greedy tokens/s on the padded target, one request at a time, %s drafter, %d prompts x %d tokens, "
                + "interleaved per prompt; ratios: median of per-prompt pairs%n", drafter.label(), settings.prompts(), settings.tokens());
        System.out.printf("  %-34s %9s %14s %18s %8s %8s%n", "variant", "tok/s", "/ fast alike", "= its target alone", "alpha", "tau");
        for (int v = 0; v < variants.length; v++) {
            double[] rate = rates(runs.get(variants[v]));
            double ratio = v % 2 == 1 ? Stats.medianRatio(rate, rates(runs.get(variants[v - 1]))) : 1;
            List<Generation> reference = runs.get(variants[v % 2]);
            int same = 0;
            for (int i = 0; i < reference.size(); i++) {
                same += runs.get(variants[v]).get(i).sameOutput(reference.get(i)) ? 1 : 0;
            }
            Acceptance acceptance = Acceptance.of(runs.get(variants[v]));
            System.out.printf("  %-34s %9.2f %13.2fx %14d / %d %8s %8s%n", variants[v], Stats.median(rate), ratio, same, reference.size(),
                    v < 2 ? "-" : String.format("%.3f", acceptance.alpha()), v < 2 ? "-" : String.format("%.2f", acceptance.tau()));
        }
        System.out.printf("  (%.0f s)%n", (System.nanoTime() - started) / 1e9);
    }

    private static double[] rates(List<Generation> generations) {
        return generations.stream().mapToDouble(Generation::tokensPerSecond).toArray();
    }
}
