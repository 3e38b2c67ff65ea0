package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.drafter.DraftService;
import io.speculum.llama.CostPadder;
import io.speculum.llama.CostPadding;
import io.speculum.llama.DrafterDerivation;
import io.speculum.llama.DrafterDeriver;
import io.speculum.llama.GreedyPaths;
import io.speculum.llama.Model;
import io.speculum.llama.WeightFormat;
import io.speculum.math.Penalties;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.GenerationEvent.TokenLogprob;
import io.speculum.protocol.SpeculationPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Near-ties found on purpose and replayed through a deterministic verifier: the prompts of {@code prompts-a.jsonl}
 * whose greedy paths (target alone) pass the closest calls, steps where the two best logits differ least (on
 * stories260K the closest of the first 160 prompts is below 1e-4), replayed beside
 * other sessions with every kind of drafter (none, chains of 1, 4 and 8, pipelined, token trees, n-gram, hybrid
 * trees): the tokens are the target's own, and the log-probabilities at the tie, computed from the logits, are
 * bitwise the target-alone ones.
 */
class NearTieReplayTest {

    private static final int TOKENS = 128;
    private static final float NEAR_TIE = 1e-4f;
    private static final int REPLAYED = 2;
    /** Drafter kind, k, tree branches, pipelined. */
    private static final List<Object[]> CONDITIONS = List.of(new Object[] {"off", 0, 1, false}, new Object[] {"model", 1, 1, false},
            new Object[] {"model", 4, 1, false}, new Object[] {"model", 8, 1, true}, new Object[] {"model", 4, 4, false},
            new Object[] {"ngram", 8, 1, false}, new Object[] {"hybrid", 8, 4, true});

    @TempDir
    static Path dir;
    private static final VerifierFixture fixture = new VerifierFixture();
    private static Map<String, Model> targets;
    private static Model q8;
    private static List<String> prompts;

    @BeforeAll
    static void models() {
        Path stories = VerifierFixture.SHARED.resolve("models/stories260K.gguf");
        q8 = Model.load(new DrafterDeriver().derive(new DrafterDerivation(stories, dir.resolve("q8.gguf"), WeightFormat.Q8_0, 0)).file());
        Path padded = new CostPadder().pad(new CostPadding(stories, dir.resolve("padded.gguf"), 256, 512, 6)).file();
        targets = Map.of("stories260K", Model.load(stories), "padded-256-512-6", Model.load(padded));
        prompts = VerifierFixture.prompts(Integer.MAX_VALUE);
    }

    @AfterAll
    static void close() throws Exception {
        fixture.close();
        targets.values().forEach(Model::close);
        q8.close();
    }

    @AfterEach
    void closeVerifiers() throws Exception {
        fixture.closeOpened();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stories260K", "padded-256-512-6"})
    void nearTiesReplayBitwiseUnderEveryDrafterBesideOtherSessions(String name) {
        Model target = targets.get(name);
        // kept short for CI (the benchmark's "ties" section searches all 447 prompts and replays each tie 20 times)
        List<String> searched = prompts.subList(0, name.startsWith("padded") ? 48 : 160);
        List<GreedyPaths.Path> paths = GreedyPaths.of(target, searched.stream().map(p -> target.vocabulary().tokenize(p, true, false)).toList(), TOKENS);
        List<GreedyPaths.Path> ties = paths.stream().sorted(Comparator.comparingDouble(GreedyPaths.Path::closestGap)).limit(REPLAYED).toList();
        System.out.printf("%s: %d of %d greedy paths (%d tokens) pass a near-tie (top-2 logit gap < %.0e); replaying the closest: %s%n", name,
                paths.stream().filter(p -> p.closestGap() < NEAR_TIE).count(), paths.size(), TOKENS, NEAR_TIE,
                ties.stream().map(t -> "prompt " + t.prompt() + " step " + t.closestStep() + " gap " + t.closestGap()).toList());
        assertThat(ties.getFirst().closestGap()).as("the closest call is close enough to flip on a last bit").isLessThan(1e-3f);
        DraftService drafts = fixture.drafterService(q8);
        for (GreedyPaths.Path tie : ties) {
            String prompt = searched.get(tie.prompt());
            TargetOnly.Run alone = TargetOnly.run(target, target.vocabulary().tokenize(prompt, true, false), TOKENS, SamplingParams.greedy(),
                    Penalties.NONE, 2, true);
            assertThat(alone.tokens()).as("one sequence per context equals sixteen per decode").containsExactly(tie.tokens());
            for (int c = 0; c < CONDITIONS.size(); c++) {
                Object[] condition = CONDITIONS.get(c);
                replay(target, drafts, tie, prompt, alone, paths, searched, c, (String) condition[0], (int) condition[1], (int) condition[2],
                        (boolean) condition[3]);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"off", "ngram", "recycling", "hybrid"})
    void seededSampledOutputRepeatsExactlyBesideOtherSessions(String drafter) {
        // point-mass drafters (and none): the seeded sample of every position is the target-alone one, so the whole
        // generation is, whatever else the verifier decodes; a model drafter's samples are equal in law only
        Model target = targets.get("stories260K");
        InProcessLink link = new InProcessLink().drafter(fixture.drafterService(q8));
        SpeculativeVerifier verifier = fixture.verifier(target, link, VerifierSettings.defaults("stories260K", 512)
                .withTreeBranches(drafter.equals("off") ? 1 : 4), VerifierFixture.FIXED_COST, true);
        SpeculationPolicy policy = drafter.equals("off") ? SpeculationPolicy.off() : SpeculationPolicy.fixed(6).withDrafter(drafter);
        for (int i = 0; i < 6; i++) {
            verifier.onGenerate(VerifierFixture.request("s" + i, prompts.get(i), 64, SamplingParams.ofTemperature(1.0, 100 + i), policy));
            verifier.onGenerate(VerifierFixture.request("g" + i, prompts.get(i + 6), 64, SamplingParams.greedy(),
                    SpeculationPolicy.fixed(1 + i).withDrafter("model")));
        }
        for (int i = 0; i < 6; i++) {
            assertThat(link.awaitEnd("s" + i)).isInstanceOf(GenerationEvent.Done.class);
            int[] expected = TargetOnly.run(target, target.vocabulary().tokenize(prompts.get(i), true, false), 64,
                    SamplingParams.ofTemperature(1.0, 100 + i), Penalties.NONE, 0, true).tokens();
            assertThat(link.tokens("s" + i)).as("seed %d, %s", 100 + i, drafter).containsExactly(expected);
            link.awaitEnd("g" + i);
        }
    }

    private void replay(Model target, DraftService drafts, GreedyPaths.Path tie, String prompt, TargetOnly.Run alone, List<GreedyPaths.Path> paths,
            List<String> searched, int condition, String drafter, int k, int branches, boolean pipelined) {
        InProcessLink link = new InProcessLink().drafter(drafts);
        SpeculativeVerifier verifier = fixture.verifier(target, link, VerifierSettings.defaults("stories260K", 512).withTreeBranches(branches)
                .withPipelinedDrafts(pipelined).withDraftTimeout(Duration.ofSeconds(10)), VerifierFixture.FIXED_COST, true);
        SpeculationPolicy policy = k == 0 ? SpeculationPolicy.off() : SpeculationPolicy.fixed(k).withDrafter(drafter).withPipelining(pipelined);
        String tieId = "tie-" + tie.prompt() + "-" + condition;
        String suffix = "-" + tie.prompt() + "-" + condition;
        // other sessions first, so the tie's cells land after theirs, amid their rollbacks
        List<Integer> others = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            others.add((tie.prompt() + 7 * condition + 13 * i) % searched.size());
        }
        for (int other : others) {
            verifier.onGenerate(VerifierFixture.request("o" + other + suffix, searched.get(other), TOKENS, SamplingParams.greedy(),
                    SpeculationPolicy.fixed(1 + other % 8).withDrafter(other % 2 == 0 ? "model" : "hybrid")));
        }
        verifier.onGenerate(VerifierFixture.request(tieId, prompt, TOKENS, SamplingParams.greedy(), policy).withLogprobs(2, null));
        String what = "prompt %d (near-tie at step %d, gap %.2e), %s k=%d branches=%d pipelined=%b".formatted(tie.prompt(), tie.closestStep(),
                tie.closestGap(), drafter, k, branches, pipelined);
        assertThat(link.awaitEnd(tieId)).as(what).isInstanceOf(GenerationEvent.Done.class);
        assertThat(link.tokens(tieId)).as(what).containsExactly(alone.tokens());
        List<TokenLogprob> reported = new ArrayList<>();
        link.events(tieId).forEach(e -> {
            if (e instanceof GenerationEvent.Round r) {
                reported.addAll(r.logprobs());
            }
        });
        assertThat(reported.get(tie.closestStep())).as("log-probabilities at the tie, " + what).isEqualTo(alone.logprobs().get(tie.closestStep()));
        assertThat(reported.subList(0, alone.logprobs().size())).as(what).isEqualTo(alone.logprobs());
        for (int other : others) {
            link.awaitEnd("o" + other + suffix);
            assertThat(link.tokens("o" + other + suffix)).as("other session %d beside %s", other, what).containsExactly(paths.get(other).tokens());
        }
    }
}
