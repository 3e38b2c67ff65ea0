package io.speculum.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;

/**
 * One speculative round over a toy language model whose next-token distributions depend on the whole prefix: the
 * exact joint law of the round's output (enumerated, not sampled), extended by target-only sampling to a fixed
 * length, equals the target's joint law; and the real verifier, driven by seeded uniforms, matches it statistically.
 */
class ChainVerificationTest {

    private static final int VOCABULARY = 3;
    private static final int K = 3;

    /** A deterministic toy model: a distribution over {0,1,2} for every prefix, sharp or flat depending on salt. */
    private record ToyModel(int salt, boolean sparse) {
        SparseDistribution next(List<Integer> prefix) {
            long h = salt * 0x9E3779B97F4A7C15L;
            for (int t : prefix) {
                h = (h ^ t) * 0xBF58476D1CE4E5B9L;
                h ^= h >>> 29;
            }
            double[] w = new double[VOCABULARY];
            double total = 0;
            for (int i = 0; i < VOCABULARY; i++) {
                h = (h ^ i) * 0x94D049BB133111EBL;
                h ^= h >>> 31;
                w[i] = sparse && i == (int) Math.floorMod(h, 5) ? 0 : 0.05 + (h >>> 11) / (double) (1L << 53);
                total += w[i];
            }
            List<Integer> ids = new ArrayList<>();
            List<Float> probs = new ArrayList<>();
            for (int i = 0; i < VOCABULARY; i++) {
                if (w[i] > 0) {
                    ids.add(i);
                    probs.add((float) (w[i] / total));
                }
            }
            float sum = 0;
            for (float f : probs) {
                sum += f;
            }
            probs.set(probs.size() - 1, probs.getLast() + (1 - sum));
            return new SparseDistribution(ids.stream().mapToInt(Integer::intValue).toArray(),
                    toArray(probs));
        }
    }

    private static final ToyModel TARGET = new ToyModel(1, false);
    private static final ToyModel DRAFTER = new ToyModel(2, true);

    @Test
    void enumeratedJointLawOfARoundEqualsTheTargetsForSampledProposals() {
        Map<List<Integer>, Double> round = new HashMap<>();
        enumerateRound(new ArrayList<>(), 1.0, round, false);
        assertEqualsTargetLaw(round);
    }

    @Test
    void enumeratedJointLawOfARoundEqualsTheTargetsForPointMassProposals() {
        Map<List<Integer>, Double> round = new HashMap<>();
        enumerateRound(new ArrayList<>(), 1.0, round, true);
        assertEqualsTargetLaw(round);
    }

    @Test
    void theRealVerifierSamplesTheTargetsJointLaw() {
        int rounds = 30_000;
        Map<List<Integer>, Integer> counts = new HashMap<>();
        for (long seed = 0; seed < rounds; seed++) {
            List<Integer> out = runRound(seed);
            counts.merge(out, 1, Integer::sum);
        }
        Map<List<Integer>, Double> expected = new HashMap<>();
        targetLaw(new ArrayList<>(), 1.0, expected);
        List<List<Integer>> keys = new ArrayList<>(expected.keySet());
        double[] e = new double[keys.size()];
        long[] o = new long[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            e[i] = expected.get(keys.get(i)) * rounds;
            o[i] = counts.getOrDefault(keys.get(i), 0);
        }
        assertThat(counts.keySet()).isSubsetOf(expected.keySet());
        assertThat(new ChiSquareTest().chiSquareTest(e, o)).as("p-value").isGreaterThan(0.001);
    }

    @Test
    void pointMassChainsReproduceTargetOnlySamplingTokenForToken() {
        for (long seed = 0; seed < 300; seed++) {
            List<Integer> prefix = new ArrayList<>();
            int[] draft = new int[K];
            for (int i = 0; i < K; i++) {
                draft[i] = (int) ((seed + i) % VOCABULARY);
            }
            ChainVerification.Outcome outcome = ChainVerification.verify(draft, List.of(), i -> TARGET.next(withDraft(prefix, draft, i)), seed, 5);
            for (int i = 0; i < outcome.tokens().length; i++) {
                List<Integer> soFar = new ArrayList<>();
                for (int j = 0; j < i; j++) {
                    soFar.add(outcome.tokens()[j]);
                }
                assertThat(outcome.tokens()[i]).isEqualTo(SpeculativeSampling.sampleTarget(TARGET.next(soFar), seed, 5 + i));
            }
        }
    }

    @Test
    void anEmptyDraftEmitsOneTargetSample() {
        ChainVerification.Outcome outcome = ChainVerification.verify(new int[0], List.of(), i -> TARGET.next(List.of()), 3, 0);
        assertThat(outcome.accepted()).isZero();
        assertThat(outcome.tokens()).containsExactly(SpeculativeSampling.sampleTarget(TARGET.next(List.of()), 3, 0));
    }

    /** Draws a chain from the drafter with its own uniforms, verifies it, extends to K+1 tokens with target samples. */
    private static List<Integer> runRound(long seed) {
        int[] draft = new int[K];
        List<SparseDistribution> proposals = new ArrayList<>();
        List<Integer> context = new ArrayList<>();
        for (int i = 0; i < K; i++) {
            SparseDistribution q = DRAFTER.next(context);
            draft[i] = TokenSampler.sample(q, SeededUniform.at(seed, i, 7));
            proposals.add(q);
            context.add(draft[i]);
        }
        ChainVerification.Outcome outcome = ChainVerification.verify(draft, proposals, i -> TARGET.next(withDraft(List.of(), draft, i)), seed, 0);
        List<Integer> out = new ArrayList<>();
        for (int t : outcome.tokens()) {
            out.add(t);
        }
        while (out.size() < K + 1) {
            out.add(SpeculativeSampling.sampleTarget(TARGET.next(out), seed, out.size()));
        }
        return out;
    }

    private static List<Integer> withDraft(List<Integer> prefix, int[] draft, int n) {
        List<Integer> out = new ArrayList<>(prefix);
        for (int i = 0; i < n; i++) {
            out.add(draft[i]);
        }
        return out;
    }

    /** Exact law of one round's output (drafts from DRAFTER or its argmax), extended with target-only sampling. */
    private static void enumerateRound(List<Integer> emitted, double mass, Map<List<Integer>, Double> law, boolean pointMass) {
        if (emitted.size() == K) { // bonus token
            extendWithTarget(emitted, mass, law);
            return;
        }
        SparseDistribution p = TARGET.next(emitted);
        SparseDistribution q = DRAFTER.next(emitted);
        if (pointMass) {
            int d = TokenSampler.sample(q, 0.0); // the drafter's most likely token, as a point mass
            for (int i = 0; i < p.size(); i++) {
                List<Integer> next = append(emitted, p.idAt(i));
                if (p.idAt(i) == d) {
                    enumerateRound(next, mass * p.probAt(i), law, true);
                } else {
                    extendWithTarget(next, mass * p.probAt(i), law);
                }
            }
            return;
        }
        SparseDistribution residual = SpeculativeSampling.residual(p, q);
        for (int i = 0; i < q.size(); i++) {
            int d = q.idAt(i);
            double accept = SpeculativeSampling.acceptanceProbability(p, d, q);
            if (accept > 0) {
                enumerateRound(append(emitted, d), mass * q.probAt(i) * accept, law, false);
            }
            if (accept < 1) {
                assertThat(residual).isNotNull();
                for (int r = 0; r < residual.size(); r++) {
                    extendWithTarget(append(emitted, residual.idAt(r)), mass * q.probAt(i) * (1 - accept) * residual.probAt(r), law);
                }
            }
        }
    }

    private static void extendWithTarget(List<Integer> prefix, double mass, Map<List<Integer>, Double> law) {
        if (prefix.size() == K + 1) {
            law.merge(prefix, mass, Double::sum);
            return;
        }
        SparseDistribution p = TARGET.next(prefix);
        for (int i = 0; i < p.size(); i++) {
            extendWithTarget(append(prefix, p.idAt(i)), mass * p.probAt(i), law);
        }
    }

    private static void targetLaw(List<Integer> prefix, double mass, Map<List<Integer>, Double> law) {
        extendWithTarget(prefix, mass, law);
    }

    private static void assertEqualsTargetLaw(Map<List<Integer>, Double> round) {
        Map<List<Integer>, Double> target = new HashMap<>();
        targetLaw(new ArrayList<>(), 1.0, target);
        assertThat(round.keySet()).isSubsetOf(target.keySet());
        double total = 0;
        for (var e : target.entrySet()) {
            assertThat(round.getOrDefault(e.getKey(), 0.0)).as("P%s", e.getKey()).isCloseTo(e.getValue(), within(1e-5));
            total += round.getOrDefault(e.getKey(), 0.0);
        }
        assertThat(total).isCloseTo(1.0, within(1e-5));
    }

    private static List<Integer> append(List<Integer> prefix, int token) {
        List<Integer> out = new ArrayList<>(prefix);
        out.add(token);
        return out;
    }

    private static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
