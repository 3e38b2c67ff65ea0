package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.protocol.SpeculationPolicy;
import io.speculum.protocol.SpeculationPolicy.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AutoSpeculationTest {

    private final CostCurve cpu = CostCurve.of(20, Map.of(4, 2.4, 8, 3.4));
    private final Random random = new Random(11);

    @Test
    void offAndFixedPoliciesAreHonouredWhateverIsMeasured() {
        AutoSpeculation control = new AutoSpeculation(cpu);
        for (int round = 0; round < 10; round++) {
            control.observe(null, 4, 4, 0, 1); // a useless drafter
        }
        assertThat(control.choose(SpeculationPolicy.off(), 100)).isZero();
        assertThat(control.choose(SpeculationPolicy.fixed(6), 100)).isEqualTo(6);
        assertThat(control.choose(SpeculationPolicy.fixed(6), 3)).as("within the room left").isEqualTo(3);
        assertThat(control.choose(new SpeculationPolicy(Mode.AUTO, null, 0, 0), 100)).isZero();
    }

    @Test
    void aUselessDrafterTurnsSpeculationOffWithinAFewRoundsAndIsProbedEverLessOften() {
        List<Integer> choices = simulate(0.006, 300);
        int firstOff = choices.indexOf(0);
        assertThat(firstOff).as("rounds before speculation turned off: %s", choices).isBetween(0, 3);
        List<Integer> probes = new ArrayList<>();
        for (int round = firstOff; round < choices.size(); round++) {
            if (choices.get(round) > 0) {
                assertThat(choices.get(round)).isLessThanOrEqualTo(AutoSpeculation.PROBE_LENGTH);
                probes.add(round);
            }
        }
        assertThat(probes).as("it keeps probing").hasSizeGreaterThanOrEqualTo(3);
        assertThat(probes.size()).as("but rarely").isLessThan(choices.size() / 20);
        int lastGap = probes.get(probes.size() - 1) - probes.get(probes.size() - 2);
        assertThat(lastGap).as("pauses grow").isGreaterThan(probes.get(1) - probes.get(0));
    }

    @Test
    void aGoodDrafterDraftsLongWithinAFewRounds() {
        List<Integer> choices = simulate(0.99, 40);
        int firstLong = -1;
        for (int round = 0; round < choices.size(); round++) {
            if (choices.get(round) >= 4) {
                firstLong = round;
                break;
            }
        }
        assertThat(firstLong).as("choices %s", choices).isBetween(0, 8);
        List<Integer> after = choices.subList(firstLong, choices.size());
        // an unlucky early rejection may shorten a round or two while the evidence is still thin
        assertThat(after.stream().filter(k -> k >= 4).count()).as("choices %s", choices).isGreaterThanOrEqualTo(after.size() * 9L / 10);
    }

    @Test
    void aDrafterThatBecomesGoodWinsItsPlaceBackThroughTheProbes() {
        AutoSpeculation control = new AutoSpeculation(cpu);
        SpeculationPolicy auto = SpeculationPolicy.defaults();
        runRounds(control, auto, 0.0, 20);
        assertThat(control.choose(auto, 100)).isZero();
        List<Integer> later = runRounds(control, auto, 0.99, 200);
        assertThat(later.subList(later.size() - 20, later.size())).allSatisfy(k -> assertThat(k).isGreaterThanOrEqualTo(4));
    }

    @Test
    void wideTreesCostMoreSoTheyAreDraftedShallowerThanChainsOfTheSameAcceptance() {
        AutoSpeculation chains = new AutoSpeculation(cpu);
        AutoSpeculation trees = new AutoSpeculation(cpu);
        for (int round = 0; round < 30; round++) {
            chains.observe(null, 8, 8, 8, 6, 1.0);
            trees.observe(null, 8, 8, 32, 6, 1.0); // four nodes per position
        }
        assertThat(trees.width()).isGreaterThan(3.5);
        assertThat(chains.width()).isEqualTo(1.0);
        int chainK = chains.choose(SpeculationPolicy.defaults(), 100);
        int treeK = trees.choose(SpeculationPolicy.defaults(), 100);
        assertThat(treeK).isLessThan(chainK);
    }

    @Test
    void aNewGenerationStartsFromWhatEarlierOnesLearntAboutTheDrafter() {
        DrafterPriors priors = new DrafterPriors();
        runRounds(new AutoSpeculation(cpu, priors), SpeculationPolicy.defaults(), 0.0, 30);
        assertThat(new AutoSpeculation(cpu, priors).choose(SpeculationPolicy.defaults(), 100)).as("known useless: off at once").isZero();
        assertThat(new AutoSpeculation(cpu, priors).choose(SpeculationPolicy.defaults().withDrafter("other"), 100))
                .as("another drafter is still tried").isPositive();
        DrafterPriors good = new DrafterPriors();
        runRounds(new AutoSpeculation(cpu, good), SpeculationPolicy.defaults(), 0.99, 30);
        assertThat(new AutoSpeculation(cpu, good).choose(SpeculationPolicy.defaults(), 100)).as("known good: long at once")
                .isGreaterThanOrEqualTo(4);
    }

    @Test
    void aGoodDrafterDraftsLongAloneAndLittleAmongSixteenSessionsWhoseDecodesAreComputeBound() {
        CostCurve padded = CostCurve.of(45, Map.of(4, 1.27, 8, 1.75, 16, 2.84, 32, 5.17, 144, 24.85));
        SharedDecodeCost cost = new SharedDecodeCost(padded);
        java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger(1);
        AutoSpeculation control = new AutoSpeculation(cost, new DrafterPriors(), active::get);
        runRounds(control, SpeculationPolicy.defaults(), 0.98, 30);
        control.observeDecode(new io.speculum.llama.SharedDecode(1, 9, 80, 96));
        assertThat(control.choose(SpeculationPolicy.defaults(), 100)).as("alone").isEqualTo(8);
        // sixteen generations running: decodes spread over their 1280 cells measured as in docs/benchmarks.md
        active.set(16);
        control.observeDecode(new io.speculum.llama.SharedDecode(16, 16, 1280, 311));
        control.observeDecode(new io.speculum.llama.SharedDecode(16, 144, 1280, 3224));
        List<Integer> choices = runRounds(control, SpeculationPolicy.defaults(), 0.98, 30);
        assertThat(choices).as("among sixteen: held back, not probing (a probe's wait would leave the shared decode)")
                .allMatch(k -> k == 0);
        active.set(1);
        assertThat(control.choose(SpeculationPolicy.defaults(), 100)).as("alone again: long drafts at once").isGreaterThanOrEqualTo(6);
    }

    private List<Integer> simulate(double alpha, int rounds) {
        return runRounds(new AutoSpeculation(cpu), SpeculationPolicy.defaults(), alpha, rounds);
    }

    /** Rounds against a simulated drafter of acceptance rate alpha whose drafts take 1 ms; returns each round's k. */
    private List<Integer> runRounds(AutoSpeculation control, SpeculationPolicy policy, double alpha, int rounds) {
        List<Integer> choices = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            int k = control.choose(policy, 100);
            choices.add(k);
            if (k > 0) {
                int accepted = 0;
                while (accepted < k && random.nextDouble() < alpha) {
                    accepted++;
                }
                control.observe(policy.drafter(), k, k, accepted, 1.0);
            }
        }
        return choices;
    }
}
