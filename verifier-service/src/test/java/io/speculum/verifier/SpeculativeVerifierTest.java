package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.drafter.DraftService;
import io.speculum.drafter.drafters.ModelDrafter;
import io.speculum.llama.DrafterDerivation;
import io.speculum.llama.DrafterDeriver;
import io.speculum.llama.Model;
import io.speculum.llama.WeightFormat;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.GenerationEvent.FinishReason;
import io.speculum.protocol.ProtocolError.ErrorCode;
import io.speculum.protocol.SpeculationPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The verifier with real models and a real model drafter, connected in-process: speculative output equals the
 * target model's own, whatever the drafter, the chain length, concurrency or a silent drafter.
 */
class SpeculativeVerifierTest {

    private static final Path SHARED = Path.of(System.getProperty("speculum.shared.dir", "../../shared"));
    private static final int TOKENS = 64;

    @TempDir
    static Path drafters;

    private static Model target;
    private static Model q8;
    private static Model twoLayers;
    private static Model oneLayer;
    private static List<String> prompts;

    private static final VerifierFixture fixture = new VerifierFixture();

    @BeforeAll
    static void models() throws IOException {
        Path stories = SHARED.resolve("models/stories260K.gguf");
        target = Model.load(stories);
        DrafterDeriver deriver = new DrafterDeriver();
        q8 = Model.load(deriver.derive(new DrafterDerivation(stories, drafters.resolve("q8.gguf"), WeightFormat.Q8_0, 0)).file());
        twoLayers = Model.load(deriver.derive(new DrafterDerivation(stories, drafters.resolve("l2.gguf"), WeightFormat.KEEP, 2)).file());
        oneLayer = Model.load(deriver.derive(new DrafterDerivation(stories, drafters.resolve("l1.gguf"), WeightFormat.KEEP, 1)).file());
        prompts = VerifierFixture.prompts(20);
    }

    @AfterAll
    static void close() throws Exception {
        fixture.close();
        twoLayers.close();
        oneLayer.close();
        q8.close();
        target.close();
    }

    @org.junit.jupiter.api.AfterEach
    void closeVerifiers() throws Exception {
        fixture.closeOpened();
    }

    @ParameterizedTest(name = "{0} drafter, k = {1}")
    @CsvSource({"q8, 1", "q8, 4", "q8, 8", "l2, 1", "l2, 4", "l2, 8", "ngram, 8", "recycling, 4", "hybrid, 8", "recycling-tree, 4", "l2-tree, 4", "hybrid-tree, 8",
            "q8-pipelined, 2", "q8-pipelined, 8", "l2-pipelined, 4", "hybrid-pipelined, 8"})
    void greedySpeculativeOutputIsTokenIdenticalToTheTargetAlone(String drafterName, int k) {
        DraftService drafts = drafterService(drafterName.startsWith("l2") ? twoLayers : q8);
        boolean tree = drafterName.endsWith("-tree");
        boolean pipelined = drafterName.endsWith("-pipelined");
        String base = drafterName.replace("-tree", "").replace("-pipelined", "");
        String kind = base.equals("q8") || base.equals("l2") ? "model" : base;
        InProcessLink link = new InProcessLink().drafter(drafts);
        // a long deadline: a round that waits for it is a lost answer, not a slow machine
        SpeculativeVerifier verifier = verifier(link, VerifierSettings.defaults("stories260K", 512).withTreeBranches(tree ? 4 : 1)
                .withPipelinedDrafts(pipelined).withDraftTimeout(Duration.ofSeconds(10)));
        for (int i = 0; i < prompts.size(); i++) { // all at once: rounds of different requests share decodes
            verifier.onGenerate(request("p" + i, prompts.get(i), SamplingParams.greedy(), SpeculationPolicy.fixed(k).withDrafter(kind)));
        }
        int drafted = 0;
        for (int i = 0; i < prompts.size(); i++) {
            GenerationEvent end = link.awaitEnd("p" + i);
            assertThat(end).isInstanceOf(GenerationEvent.Done.class);
            int[] expected = TargetOnly.generate(target, target.vocabulary().tokenize(prompts.get(i), true, false), TOKENS, SamplingParams.greedy());
            assertThat(link.tokens("p" + i)).as("prompt %d", i).containsExactly(expected);
            drafted += ((GenerationEvent.Done) end).stats().draftedTokens();
        }
        assertThat(drafted).as("drafts were verified").isGreaterThan(prompts.size());
        assertThat(verifier.statistics().draftTimeouts()).as("every draft request was answered").isZero();
        if (tree) {
            long treeRounds = IntStream.range(0, prompts.size()).boxed().flatMap(i -> link.events("p" + i).stream())
                    .filter(e -> e instanceof GenerationEvent.Round r && r.stats().drafted() > r.stats().requested()).count();
            assertThat(treeRounds).as("rounds that verified more nodes than k: trees").isGreaterThan(prompts.size());
        }
        assertThat(link.releases()).as("every ended generation released its drafter state")
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, prompts.size()).mapToObj(i -> "p" + i).toList());
        assertThat(((ModelDrafter) drafts.drafter("model")).cachedRequests().join()).as("no KV sequence left behind").isZero();
        assertThat(verifier.cachedCells().join()).as("finished sessions hold no verifier cells").isZero();
        if (drafterName.equals("q8") && k >= 4) {
            assertThat(verifier.statistics().acceptanceRate()).as("a Q8_0 copy agrees almost always").isGreaterThan(0.8);
        }
        if (drafterName.startsWith("q8-pipelined")) {
            assertThat(verifier.statistics().pipelinedRounds()).as("pre-drafts were verified without a hop")
                    .isGreaterThan(prompts.size());
        } else if (!pipelined) {
            assertThat(verifier.statistics().pipelinedRounds()).isZero();
        }
        List<DraftRequest> requests = link.draftRequests();
        assertThat(requests.stream().filter(r -> r.state() != null).count()).as("the whole state once per generation")
                .isEqualTo(prompts.size());
    }

    @ParameterizedTest(name = "pipelined: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aGenerationWhoseDrafterReplicaChangesCompletesExactly(boolean pipelined) {
        // two drafter replicas; the draft requests go to one, then to the other, then back (a rebalance, a restart):
        // a replica without a delta's base answers STATE_NEEDED and gets the whole state within the same round
        DraftService first = drafterService(q8);
        DraftService second = drafterService(q8);
        InProcessLink link = new InProcessLink().drafter(first);
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        link.intercept(request -> {
            int n = sent.getAndIncrement();
            link.drafter(n % 8 < 4 ? first : second);
            link.forward(request);
        });
        // a long deadline: a round that waits for it is a lost answer, not a slow machine
        SpeculativeVerifier verifier = verifier(link, VerifierSettings.defaults("stories260K", 512).withPipelinedDrafts(pipelined)
                .withDraftTimeout(Duration.ofSeconds(10)));
        for (int i = 0; i < 4; i++) {
            verifier.onGenerate(request("moved" + i, prompts.get(i), SamplingParams.greedy(), SpeculationPolicy.fixed(4)));
        }
        for (int i = 0; i < 4; i++) {
            assertThat(link.awaitEnd("moved" + i)).isInstanceOf(GenerationEvent.Done.class);
            assertThat(link.tokens("moved" + i)).as("prompt %d", i).containsExactly(TargetOnly.generate(target,
                    target.vocabulary().tokenize(prompts.get(i), true, false), TOKENS, SamplingParams.greedy()));
        }
        assertThat(verifier.statistics().stateResends()).as("replicas asked for the whole state").isPositive();
        assertThat(verifier.statistics().draftTimeouts()).as("no round waited for its deadline").isZero();
        assertThat(verifier.statistics().acceptedTokens()).as("both replicas drafted").isGreaterThan(4L * TOKENS / 2);
    }

    @Test
    void draftRequestBytesDoNotGrowWithTheGeneration() {
        // the longest generation the 512-position context allows: every request after the first carries a delta
        InProcessLink link = new InProcessLink().drafter(drafterService(q8));
        SpeculativeVerifier verifier = verifier(link, VerifierSettings.defaults("stories260K", 512));
        int[] prompt = target.vocabulary().tokenize(prompts.get(0), true, false);
        int tokens = 511 - prompt.length;
        verifier.onGenerate(request("long", prompts.get(0), SamplingParams.greedy(), SpeculationPolicy.fixed(4).withPipelining(false))
                .withMaxTokens(tokens));
        assertThat(link.awaitEnd("long")).isInstanceOf(GenerationEvent.Done.class);
        List<DraftRequest> requests = link.draftRequests();
        int[] bytes = requests.stream().mapToInt(r -> io.speculum.protocol.ProtocolCodec.write(r).length).toArray();
        int[] generated = requests.stream().mapToInt(r -> r.basis() - prompt.length).toArray();
        int early = maxBytes(bytes, generated, 1, 64);
        int late = maxBytes(bytes, generated, tokens - 64, tokens);
        System.out.printf("draft request bytes per round: first (whole state) %d, up to 64 generated %d, %d..%d generated %d%n",
                bytes[0], early, tokens - 64, tokens, late);
        assertThat(requests.getFirst().state()).as("the first request carries the whole state").isNotNull();
        assertThat(requests.subList(1, requests.size())).allSatisfy(r -> assertThat(r.delta()).isNotNull());
        assertThat(late).as("bytes per round after %d tokens, against after 64", tokens - 64).isLessThanOrEqualTo(early + 16);
        assertThat(late).isLessThan(bytes[0]);
    }

    private static int maxBytes(int[] bytes, int[] generated, int from, int to) {
        int max = 0;
        for (int i = 1; i < bytes.length; i++) {
            if (generated[i] >= from && generated[i] <= to) {
                max = Math.max(max, bytes[i]);
            }
        }
        return max;
    }

    @Test
    void theAutomaticPolicyTurnsAUselessDrafterOffAndLetsAGoodOneDraftLong() {
        // the measured curve (k = 4 costs 2.4x one token, k = 8 3.4x), fixed so that the test does not depend on
        // how loaded the machine is; a slow target (200 ms a token) keeps the measured draft round trips (a few ms here,
        // tens on a loaded machine) from deciding
        CostCurve cpu = CostCurve.of(200, Map.of(4, 2.4, 8, 3.4));
        List<String> few = prompts.subList(0, 4);
        Map<String, List<List<Integer>>> requested = new HashMap<>();
        for (String drafterName : List.of("l1", "q8")) {
            InProcessLink link = new InProcessLink().drafter(drafterService(drafterName.equals("l1") ? oneLayer : q8));
            SpeculativeVerifier verifier = verifier(link, VerifierSettings.defaults("stories260K", 512), cpu);
            for (int i = 0; i < few.size(); i++) {
                verifier.onGenerate(request(drafterName + i, few.get(i), SamplingParams.greedy(), SpeculationPolicy.defaults()));
            }
            for (int i = 0; i < few.size(); i++) {
                assertThat(link.awaitEnd(drafterName + i)).isInstanceOf(GenerationEvent.Done.class);
                assertThat(link.tokens(drafterName + i)).containsExactly(TargetOnly.generate(target,
                        target.vocabulary().tokenize(few.get(i), true, false), TOKENS, SamplingParams.greedy()));
                // the k asked for in each verification round that had room for 4 draft tokens (the last rounds have less)
                List<Integer> ks = new ArrayList<>();
                int committed = 0;
                for (GenerationEvent e : link.events(drafterName + i)) {
                    if (e instanceof GenerationEvent.Round r) {
                        if (r.round() > 0 && TOKENS - committed - 1 >= 4) {
                            ks.add(r.stats().requested());
                        }
                        committed += r.tokens().length;
                    }
                }
                requested.computeIfAbsent(drafterName, d -> new ArrayList<>()).add(ks);
            }
        }
        for (List<Integer> rounds : requested.get("l1")) {
            assertThat(rounds.indexOf(0)).as("rounds before the 1-layer drafter is switched off: %s", rounds).isBetween(0, 3);
            assertThat(rounds.stream().filter(k -> k == 0).count()).as("decoded alone, bar a few probes: %s", rounds)
                    .isGreaterThanOrEqualTo(rounds.size() * 3L / 4);
        }
        for (List<Integer> rounds : requested.get("q8")) {
            int firstLong = IntStream.range(0, rounds.size()).filter(r -> rounds.get(r) >= 4).findFirst().orElse(-1);
            assertThat(firstLong).as("rounds before the Q8_0 drafter drafts 4 or more: %s", rounds).isBetween(0, 6);
            assertThat(rounds).as("never switched off: %s", rounds).doesNotContain(0);
        }
    }

    @Test
    void theCostCurveIsMeasuredAtStartWhenNotGiven() {
        SpeculativeVerifier verifier = verifier(new InProcessLink(), VerifierSettings.defaults("stories260K", 512));
        CostCurve measured = verifier.costCurve();
        assertThat(measured.singleTokenMillis()).isPositive();
        assertThat(measured.relative().keySet()).contains(1, 2, 4, 8, 16);
        assertThat(measured.relative(16)).isGreaterThanOrEqualTo(measured.relative(2)).isGreaterThanOrEqualTo(1.0);
    }

    @ParameterizedTest(name = "tree branches: {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 4})
    void sampledJointOfTheFirstVerificationRoundFollowsTheTarget(int treeBranches) {
        // the 2-layer copy at T = 1 differs clearly from the target: rejections and residual draws are frequent
        int runs = 1500;
        SamplingParams sampling = SamplingParams.ofTemperature(1.0, 0);
        String prompt = "Once upon a time, there was a little dog named Max.";
        InProcessLink link = new InProcessLink().drafter(drafterService(twoLayers));
        SpeculativeVerifier verifier = verifier(link, VerifierSettings.defaults("stories260K", 512).withCapacity(8, runs)
                .withTreeBranches(treeBranches));
        for (int seed = 0; seed < runs; seed++) {
            verifier.onGenerate(request("j" + seed, prompt, sampling.withSeed(seed), SpeculationPolicy.fixed(2)).withMaxTokens(4));
        }
        Map<String, Integer> speculative = new HashMap<>();
        for (int seed = 0; seed < runs; seed++) {
            link.awaitEnd("j" + seed);
            int[] t = link.tokens("j" + seed);
            speculative.merge(t[1] + "," + t[2], 1, Integer::sum);
        }
        // after round 0's token, the first verification round checks two drafted tokens (positions 2 and 3)
        assertThat(verifier.statistics().draftTokens()).isGreaterThan(runs);
        assertThat(verifier.statistics().acceptanceRate()).as("rejections happen").isLessThan(0.9);
        if (treeBranches > 1) { // a chain verifies at most k tokens a round: more means sampled siblings
            long treeRounds = IntStream.range(0, runs).boxed().flatMap(seed -> link.events("j" + seed).stream())
                    .filter(e -> e instanceof GenerationEvent.Round r && r.stats().drafted() > r.stats().requested()).count();
            assertThat(treeRounds).as("rounds that verified a tree").isGreaterThan(runs / 10);
        }
        Map<String, Integer> targetOnly = new HashMap<>();
        int[] promptTokens = target.vocabulary().tokenize(prompt, true, false);
        for (int seed = runs; seed < 2 * runs; seed++) { // independent seeds: a two-sample test
            int[] t = TargetOnly.generate(target, promptTokens, 3, sampling.withSeed(seed));
            targetOnly.merge(t[1] + "," + t[2], 1, Integer::sum);
        }
        assertThat(twoSampleChiSquarePValue(speculative, targetOnly)).isGreaterThan(0.001);
    }

    @Test
    void sampledJointOfPipelinedRoundsFollowsTheTarget() {
        // the Q8_0 copy's drafts pass whole often, so later rounds verify pre-drafts: the law of tokens 4 and 5
        // (in the second verification round when the first passed whole) must still be the target's
        int runs = 1500;
        SamplingParams sampling = SamplingParams.ofTemperature(1.0, 0);
        String prompt = "Once upon a time, there was a little dog named Max.";
        InProcessLink link = new InProcessLink().drafter(drafterService(q8));
        SpeculativeVerifier verifier = verifier(link, VerifierSettings.defaults("stories260K", 512).withCapacity(8, runs)
                .withPipelinedDrafts(true).withDraftTimeout(Duration.ofSeconds(10)));
        for (int seed = 0; seed < runs; seed++) {
            verifier.onGenerate(request("pj" + seed, prompt, sampling.withSeed(seed), SpeculationPolicy.fixed(2)).withMaxTokens(6));
        }
        Map<String, Integer> speculative = new HashMap<>();
        for (int seed = 0; seed < runs; seed++) {
            link.awaitEnd("pj" + seed);
            int[] t = link.tokens("pj" + seed);
            speculative.merge(t[4] + "," + t[5], 1, Integer::sum);
        }
        assertThat(verifier.statistics().pipelinedRounds()).as("rounds that verified a pre-draft").isGreaterThan(runs / 4);
        assertThat(verifier.statistics().draftTimeouts()).isZero();
        Map<String, Integer> targetOnly = new HashMap<>();
        int[] promptTokens = target.vocabulary().tokenize(prompt, true, false);
        for (int seed = runs; seed < 2 * runs; seed++) {
            int[] t = TargetOnly.generate(target, promptTokens, 6, sampling.withSeed(seed));
            targetOnly.merge(t[4] + "," + t[5], 1, Integer::sum);
        }
        assertThat(twoSampleChiSquarePValue(speculative, targetOnly)).isGreaterThan(0.001);
    }

    @Test
    void sampledTokenTreesReproduceTargetOnlySamplingWithTheSameSeed() {
        // recycled candidates are point masses: each node's child equal to the target's own sample is followed, so a
        // seeded sampled generation is the target-only one, token for token (stronger than equal distributions)
        InProcessLink link = new InProcessLink().drafter(drafterService(q8));
        SpeculativeVerifier verifier = verifier(link, VerifierSettings.defaults("stories260K", 512).withTreeBranches(4));
        String prompt = "Once upon a time, there was a little dog named Max.";
        int[] promptTokens = target.vocabulary().tokenize(prompt, true, false);
        SamplingParams sampling = SamplingParams.ofTemperature(1.0, 0);
        int seeds = 12;
        for (int seed = 0; seed < seeds; seed++) {
            verifier.onGenerate(request("t" + seed, prompt, sampling.withSeed(seed), SpeculationPolicy.fixed(4).withDrafter("recycling"))
                    .withMaxTokens(32));
        }
        for (int seed = 0; seed < seeds; seed++) {
            assertThat(link.awaitEnd("t" + seed)).isInstanceOf(GenerationEvent.Done.class);
            assertThat(link.tokens("t" + seed)).as("seed %d", seed)
                    .containsExactly(TargetOnly.generate(target, promptTokens, 32, sampling.withSeed(seed)));
        }
        assertThat(verifier.statistics().acceptedTokens()).as("tree branches were accepted").isPositive();
    }

    @Test
    void aDraftTextIsVerifiedInChunksAndTheOutputStaysTheTargetsOwn() {
        InProcessLink link = new InProcessLink(); // no drafter: with mode OFF only the draft text speculates
        SpeculativeVerifier verifier = verifier(link, VerifierSettings.defaults("stories260K", 512));
        SpeculationPolicy hintOnly = new SpeculationPolicy(SpeculationPolicy.Mode.OFF, null, 8, 0);
        String prompt = prompts.get(3);
        int[] promptTokens = target.vocabulary().tokenize(prompt, true, false);
        int[] expected = TargetOnly.generate(target, promptTokens, TOKENS, SamplingParams.greedy());
        String own = completionText(promptTokens, expected);
        String half = completionText(promptTokens, java.util.Arrays.copyOf(expected, 24));

        verifier.onGenerate(request("scratch", prompt, SamplingParams.greedy(), SpeculationPolicy.off()));
        verifier.onGenerate(request("own", prompt, SamplingParams.greedy(), hintOnly).withDraftText(own));
        verifier.onGenerate(request("half", prompt, SamplingParams.greedy(), hintOnly).withDraftText(half + " zebra purple seven"));
        verifier.onGenerate(request("wrong", prompt, SamplingParams.greedy(), hintOnly).withDraftText(" Zebras count seven purple moons"));
        // the answer's second half behind a different start: picked up where the committed tail recurs in it
        String secondHalf = completionText(promptTokens, expected).substring(half.length());
        verifier.onGenerate(request("later", prompt, SamplingParams.greedy(), hintOnly).withDraftText(" Zebras count." + half.substring(half.length() / 2)
                + secondHalf));
        for (String id : List.of("scratch", "own", "half", "wrong", "later")) {
            assertThat(link.awaitEnd(id)).isInstanceOf(GenerationEvent.Done.class);
            assertThat(link.tokens(id)).as(id).containsExactly(expected);
        }
        int scratch = rounds(link, "scratch");
        assertThat(scratch).as("one verification round per token after the first").isEqualTo(expected.length - 1);
        // its own answer as the draft: every chunk of 8 is accepted and each round adds the target's own token
        assertThat(rounds(link, "own")).isLessThanOrEqualTo((expected.length + 8) / 9 + 1);
        assertThat(rounds(link, "half")).as("the hint helps until it diverges").isLessThan(scratch).isGreaterThan(rounds(link, "own"));
        assertThat(rounds(link, "wrong")).isLessThanOrEqualTo(scratch);
        assertThat(rounds(link, "later")).as("re-synchronised on the committed tail").isLessThan(scratch - 10);
        assertThat(link.draftRequests()).as("mode OFF asks no drafter").isEmpty();
    }

    @Test
    void afterTheDraftTextDivergesTheDraftersTakeOver() {
        InProcessLink link = new InProcessLink().drafter(drafterService(q8));
        SpeculativeVerifier verifier = verifier(link, VerifierSettings.defaults("stories260K", 512));
        String prompt = prompts.get(4);
        int[] promptTokens = target.vocabulary().tokenize(prompt, true, false);
        int[] expected = TargetOnly.generate(target, promptTokens, TOKENS, SamplingParams.greedy());
        String start = completionText(promptTokens, java.util.Arrays.copyOf(expected, 12));
        verifier.onGenerate(request("takeover", prompt, SamplingParams.greedy(), SpeculationPolicy.fixed(4))
                .withDraftText(start + " zebra purple seven"));
        assertThat(link.awaitEnd("takeover")).isInstanceOf(GenerationEvent.Done.class);
        assertThat(link.tokens("takeover")).containsExactly(expected);
        assertThat(link.draftRequests()).as("drafters were asked once the draft text was used").isNotEmpty();
        assertThat(link.draftRequests().getFirst().state().tokens().length - link.draftRequests().getFirst().state().promptLength())
                .as("not before the draft text's accepted prefix").isGreaterThanOrEqualTo(12);
    }

    /** The text {@code completion} adds after the prompt (with its leading space, as round events carry it). */
    private static String completionText(int[] prompt, int[] completion) {
        int[] all = java.util.Arrays.copyOf(prompt, prompt.length + completion.length);
        System.arraycopy(completion, 0, all, prompt.length, completion.length);
        return target.vocabulary().detokenize(all, true, false).substring(target.vocabulary().detokenize(prompt, true, false).length());
    }

    private static int rounds(InProcessLink link, String id) {
        return ((GenerationEvent.Done) link.awaitEnd(id)).stats().rounds();
    }

    @Test
    void aDrafterThatNeverAnswersLeavesTheOutputExactOnlySlower() {
        InProcessLink link = new InProcessLink().drafter(drafterService(q8));
        link.intercept(request -> { }); // the drafter is gone
        SpeculativeVerifier verifier = verifier(link, VerifierSettings.defaults("stories260K", 512).withDraftTimeout(Duration.ofMillis(20)));
        verifier.onGenerate(request("silent", prompts.get(0), SamplingParams.greedy(), SpeculationPolicy.fixed(4)));
        GenerationEvent end = link.awaitEnd("silent");
        assertThat(end).isInstanceOf(GenerationEvent.Done.class);
        assertThat(link.tokens("silent")).containsExactly(TargetOnly.generate(target, target.vocabulary().tokenize(prompts.get(0), true, false),
                TOKENS, SamplingParams.greedy()));
        assertThat(verifier.statistics().draftTimeouts()).isGreaterThanOrEqualTo(1);
        // it backs off: far fewer draft requests than rounds
        assertThat(link.draftRequests().size()).isLessThan(TOKENS / 4);
    }

    @Test
    void duplicatedAndStaleProposalsAndReplayedRequestsChangeNothing() {
        InProcessLink link = new InProcessLink().drafter(drafterService(q8));
        List<DraftRequest> seen = new ArrayList<>();
        link.intercept(request -> {
            link.forward(request);
            link.forward(request); // every proposal arrives twice
            if (!seen.isEmpty()) {
                link.forward(seen.getFirst()); // and an old round's proposal comes back
            }
            seen.add(request);
        });
        SpeculativeVerifier verifier = verifier(link, VerifierSettings.defaults("stories260K", 512));
        GenerateRequest request = request("dup", prompts.get(1), SamplingParams.greedy(), SpeculationPolicy.fixed(4));
        verifier.onGenerate(request);
        verifier.onGenerate(request); // delivered twice while running
        link.awaitEnd("dup");
        verifier.onGenerate(request); // replayed after it finished
        assertThat(link.tokens("dup")).containsExactly(TargetOnly.generate(target, target.vocabulary().tokenize(prompts.get(1), true, false),
                TOKENS, SamplingParams.greedy()));
        assertThat(link.events("dup").stream().filter(GenerationEvent::ends)).hasSize(1);
        assertThat(verifier.statistics().droppedMessages()).isGreaterThanOrEqualTo(seen.size() + 2);
        assertThat(link.events("dup").stream().mapToInt(GenerationEvent::round).toArray()).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void aDrafterWithAnotherVocabularyEndsTheRequestWithAClearError() {
        Model other = Model.load(SHARED.resolve("models/TinyStories-656K-f32.gguf"));
        fixture.closeLater(other);
        InProcessLink link = new InProcessLink().drafter(drafterService(other));
        SpeculativeVerifier verifier = verifier(link, VerifierSettings.defaults("stories260K", 512));
        verifier.onGenerate(request("vocab", prompts.get(0), SamplingParams.greedy(), SpeculationPolicy.fixed(4)));
        GenerationEvent end = link.awaitEnd("vocab");
        assertThat(end).isInstanceOfSatisfying(GenerationEvent.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VOCABULARY_MISMATCH);
            assertThat(e.message()).contains("vocabulary").contains(verifier.vocabularyFingerprint());
        });
        // the first token came from the verifier alone; nothing drafted by the wrong vocabulary was committed
        assertThat(link.tokens("vocab")).hasSize(1);
    }

    @Test
    void requestsEndForEveryReason() {
        InProcessLink link = new InProcessLink().drafter(drafterService(q8));
        SpeculativeVerifier verifier = verifier(link, new VerifierSettings("stories260K", 64, 2, 1, 512, Duration.ofSeconds(5), 100));
        String prompt = prompts.get(2);
        int[] reference = TargetOnly.generate(target, target.vocabulary().tokenize(prompt, true, false), 40, SamplingParams.greedy());
        String referenceText = target.vocabulary().detokenize(reference, false, false);

        verifier.onGenerate(request("length", prompt, SamplingParams.greedy(), SpeculationPolicy.fixed(8)).withMaxTokens(5));
        assertThat(((GenerationEvent.Done) link.awaitEnd("length")).finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(link.tokens("length")).hasSize(5);

        String stop = referenceText.substring(12, 16);
        verifier.onGenerate(new GenerateRequest("stop", "replies", "stories260K", prompt, null, 40, SamplingParams.greedy(),
                List.of(stop), SpeculationPolicy.fixed(8), 0, 0));
        assertThat(((GenerationEvent.Done) link.awaitEnd("stop")).finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(referenceText).startsWith(link.text("stop").stripLeading());
        assertThat(link.text("stop")).doesNotContain(stop);

        verifier.onGenerate(request("context", prompt, SamplingParams.greedy(), SpeculationPolicy.fixed(8)).withMaxTokens(500));
        GenerationEvent.Done context = (GenerationEvent.Done) link.awaitEnd("context");
        assertThat(context.finishReason()).isIn(FinishReason.CONTEXT, FinishReason.STOP);
        assertThat(context.usage().promptTokens() + context.usage().completionTokens()).isLessThanOrEqualTo(64);
    }

    @Test
    void badRequestsGetErrorsAndCapacityIsBounded() {
        InProcessLink link = new InProcessLink();
        link.intercept(request -> { }); // sessions stay busy waiting for drafts
        SpeculativeVerifier verifier = verifier(link, new VerifierSettings("stories260K", 128, 1, 1, 100, Duration.ofSeconds(30), 100));

        verifier.onGenerate(new GenerateRequest("model", "replies", "gpt-9", "Hi", null, 5, null, null, null, 0, 0));
        assertThat(((GenerationEvent.Error) link.awaitEnd("model")).code()).isEqualTo(ErrorCode.UNKNOWN_MODEL);
        verifier.onGenerate(request("long", "word ".repeat(400), SamplingParams.greedy(), SpeculationPolicy.off()));
        assertThat(((GenerationEvent.Error) link.awaitEnd("long")).code()).isEqualTo(ErrorCode.PROMPT_TOO_LONG);
        verifier.onGenerate(new GenerateRequest("ids", "replies", null, null, new int[] {1, 99999}, 5, null, null, null, 0, 0));
        assertThat(((GenerationEvent.Error) link.awaitEnd("ids")).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        verifier.onGenerate(request("budget", "Hi", SamplingParams.greedy(), SpeculationPolicy.off()).withMaxTokens(1000));
        assertThat(((GenerationEvent.Error) link.awaitEnd("budget")).code()).isEqualTo(ErrorCode.INVALID_REQUEST);

        verifier.onGenerate(request("busy", prompts.get(0), SamplingParams.greedy(), SpeculationPolicy.fixed(4)));
        verifier.onGenerate(request("queued", prompts.get(1), SamplingParams.greedy(), SpeculationPolicy.off()));
        verifier.onGenerate(request("refused", prompts.get(2), SamplingParams.greedy(), SpeculationPolicy.off()));
        assertThat(((GenerationEvent.Error) link.awaitEnd("refused")).code()).isEqualTo(ErrorCode.OVERLOADED);
        assertThat(verifier.waitingRequests()).isEqualTo(1);

        verifier.onCancel(new io.speculum.protocol.CancelRequest("busy", "client went away"));
        assertThat(((GenerationEvent.Done) link.awaitEnd("busy")).finishReason()).isEqualTo(FinishReason.CANCELLED);
        // the freed session serves the queued request, which completes on its own (speculation off)
        assertThat(link.awaitEnd("queued")).isInstanceOf(GenerationEvent.Done.class);
        assertThat(verifier.activeSessions()).isZero();
    }

    private SpeculativeVerifier verifier(InProcessLink link, VerifierSettings settings) {
        return verifier(link, settings, null);
    }

    /** @param cost null: measured at start */
    private SpeculativeVerifier verifier(InProcessLink link, VerifierSettings settings, CostCurve cost) {
        return fixture.verifier(target, link, settings, cost, false);
    }

    private DraftService drafterService(Model model) {
        return fixture.drafterService(model);
    }

    private static GenerateRequest request(String id, String prompt, SamplingParams sampling, SpeculationPolicy policy) {
        return new GenerateRequest(id, "replies", "stories260K", prompt, null, TOKENS, sampling, List.of(), policy, 0, 0);
    }

    static double twoSampleChiSquarePValue(Map<String, Integer> a, Map<String, Integer> b) {
        // categories seen at least 10 times in all; the rest pooled
        Map<String, Integer> total = new HashMap<>(a);
        b.forEach((k, v) -> total.merge(k, v, Integer::sum));
        List<String> common = total.entrySet().stream().filter(e -> e.getValue() >= 10).map(Map.Entry::getKey).toList();
        long[] x = new long[common.size() + 1];
        long[] y = new long[common.size() + 1];
        for (int i = 0; i < common.size(); i++) {
            x[i] = a.getOrDefault(common.get(i), 0);
            y[i] = b.getOrDefault(common.get(i), 0);
        }
        x[common.size()] = a.values().stream().mapToLong(Integer::longValue).sum() - java.util.Arrays.stream(x).sum();
        y[common.size()] = b.values().stream().mapToLong(Integer::longValue).sum() - java.util.Arrays.stream(y).sum();
        if (x[common.size()] + y[common.size()] == 0) {
            x = java.util.Arrays.copyOf(x, common.size());
            y = java.util.Arrays.copyOf(y, common.size());
        }
        assertThat(x.length).as("enough distinct outcomes for a test").isGreaterThanOrEqualTo(3);
        return new ChiSquareTest().chiSquareTestDataSetsComparison(x, y);
    }
}
