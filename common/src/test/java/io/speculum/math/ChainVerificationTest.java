package io.speculum.math;

import static io.speculum.math.ToyModel.DRAFTER;
import static io.speculum.math.ToyModel.TARGET;
import static io.speculum.math.ToyModel.VOCABULARY;
import static io.speculum.math.ToyModel.append;
import static org.assertj.core.api.Assertions.assertThat;

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

    private static final int K = 3;

    @Test
    void enumeratedJointLawOfARoundEqualsTheTargetsForSampledProposals() {
        Map<List<Integer>, Double> round = new HashMap<>();
        enumerateRound(new ArrayList<>(), 1.0, round, false);
        TARGET.assertSameLaw(round, K + 1);
    }

    @Test
    void enumeratedJointLawOfARoundEqualsTheTargetsForPointMassProposals() {
        Map<List<Integer>, Double> round = new HashMap<>();
        enumerateRound(new ArrayList<>(), 1.0, round, true);
        TARGET.assertSameLaw(round, K + 1);
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
        TARGET.extend(new ArrayList<>(), 1.0, expected, K + 1);
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
            TARGET.extend(emitted, mass, law, K + 1);
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
                    TARGET.extend(next, mass * p.probAt(i), law, K + 1);
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
                    TARGET.extend(append(emitted, residual.idAt(r)), mass * q.probAt(i) * (1 - accept) * residual.probAt(r), law, K + 1);
                }
            }
        }
    }
}
