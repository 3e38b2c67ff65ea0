package io.speculum.math;

import static io.speculum.math.ToyModel.DRAFTER;
import static io.speculum.math.ToyModel.TARGET;
import static io.speculum.math.ToyModel.append;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;

/**
 * Token trees over a toy language model whose next-token distributions depend on the whole prefix: the exact joint
 * law of a round's output with sampled siblings (recursive rejection sampling, enumerated over every draw of the
 * candidates, not sampled), extended by target-only sampling to a fixed length, equals the target's; the real
 * verifier follows the enumerated law; deterministic trees reproduce target-only sampling token for token.
 */
class TreeVerificationTest {


    @Test
    void enumeratedJointLawOfASampledTreeEqualsTheTargets() {
        for (int[] widths : new int[][] {{2, 2}, {3, 1}, {1, 3}, {2, 2, 2}}) {
            Map<List<Integer>, Double> law = new HashMap<>();
            enumerateTree(new ArrayList<>(), 1.0, widths, 0, law);
            TARGET.assertSameLaw(law, widths.length + 1);
        }
    }

    @Test
    void withOneCandidateThePositionIsOrdinarySpeculativeSampling() {
        SparseDistribution p = TARGET.next(List.of());
        SparseDistribution q = DRAFTER.next(List.of());
        for (long seed = 0; seed < 300; seed++) {
            int d = TokenSampler.sample(q, SeededUniform.at(seed, 7, 9));
            SpeculativeSampling.Verdict chain = SpeculativeSampling.verify(p, d, q, seed, 7);
            MultiDraftSampling.Verdict tree = MultiDraftSampling.verify(p, new int[] {d}, q, seed, 7);
            assertThat(tree.token()).isEqualTo(chain.token());
            assertThat(tree.accepted() == 0).isEqualTo(chain.accepted());
        }
    }

    @Test
    void theRealVerifierFollowsTheEnumeratedLawOfAFixedSampledTree() {
        // root: two candidates drawn from q; each of them: two more
        List<Integer> root = List.of();
        int[] first = drawn(root, 2, 101);
        List<Integer> tokens = new ArrayList<>();
        List<Integer> parents = new ArrayList<>();
        List<SparseDistribution> proposals = new ArrayList<>();
        Map<Integer, List<Integer>> pathOf = new HashMap<>();
        pathOf.put(TreeVerification.ROOT, root);
        for (int a : first) {
            int node = add(tokens, parents, proposals, pathOf, TreeVerification.ROOT, a);
            for (int b : drawn(pathOf.get(node), 2, 202 + a)) {
                add(tokens, parents, proposals, pathOf, node, b);
            }
        }
        int[] tokenArray = tokens.stream().mapToInt(Integer::intValue).toArray();
        int[] parentArray = parents.stream().mapToInt(Integer::intValue).toArray();
        Map<List<Integer>, Double> expected = new HashMap<>();
        fixedTreeLaw(tokenArray, parentArray, proposals, pathOf, TreeVerification.ROOT, 1.0, expected);
        assertThat(expected.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-5));

        int runs = 20_000;
        Map<List<Integer>, Integer> seen = new HashMap<>();
        for (long seed = 0; seed < runs; seed++) {
            TreeVerification.Outcome outcome = TreeVerification.verify(tokenArray, parentArray, proposals,
                    node -> TARGET.next(pathOf.get(node)), seed, 10);
            List<Integer> emitted = new ArrayList<>();
            for (int t : outcome.tokens()) {
                emitted.add(t);
            }
            seen.merge(emitted, 1, Integer::sum);
        }
        assertThat(expected.keySet()).containsAll(seen.keySet());
        List<List<Integer>> categories = new ArrayList<>(expected.keySet());
        double[] e = categories.stream().mapToDouble(c -> expected.get(c) * runs).toArray();
        long[] o = categories.stream().mapToLong(c -> seen.getOrDefault(c, 0)).toArray();
        assertThat(new ChiSquareTest().chiSquareTest(e, o)).isGreaterThan(0.001);
    }

    @Test
    void deterministicTreesReproduceTargetOnlySamplingTokenForToken() {
        // each node's candidates: the drafter's two most likely tokens (point masses), two levels deep
        List<Integer> tokens = new ArrayList<>();
        List<Integer> parents = new ArrayList<>();
        Map<Integer, List<Integer>> pathOf = new HashMap<>();
        pathOf.put(TreeVerification.ROOT, List.of());
        for (int a : topTwo(List.of())) {
            int node = add(tokens, parents, null, pathOf, TreeVerification.ROOT, a);
            for (int b : topTwo(pathOf.get(node))) {
                add(tokens, parents, null, pathOf, node, b);
            }
        }
        int[] tokenArray = tokens.stream().mapToInt(Integer::intValue).toArray();
        int[] parentArray = parents.stream().mapToInt(Integer::intValue).toArray();
        int secondSiblingAccepted = 0;
        for (long seed = 0; seed < 500; seed++) {
            TreeVerification.Outcome outcome = TreeVerification.verify(tokenArray, parentArray, List.of(),
                    node -> TARGET.next(pathOf.get(node)), seed, 4);
            List<Integer> targetOnly = new ArrayList<>();
            for (int i = 0; i < outcome.tokens().length; i++) {
                targetOnly.add(SpeculativeSampling.sampleTarget(TARGET.next(targetOnly), seed, 4 + i));
            }
            assertThat(outcome.tokens()).containsExactly(targetOnly.stream().mapToInt(Integer::intValue).toArray());
            assertThat(outcome.accepted()).isEqualTo(outcome.tokens().length - 1);
            if (outcome.accepted() > 0 && outcome.path()[0] != TreeVerification.children(parentArray, TreeVerification.ROOT)[0]) {
                secondSiblingAccepted++;
            }
        }
        assertThat(secondSiblingAccepted).as("the second branch earns its place").isPositive();
    }

    @Test
    void aChainIsVerifiedExactlyAsChainVerificationDoes() {
        for (long seed = 0; seed < 200; seed++) {
            List<Integer> prefix = new ArrayList<>();
            int[] draft = new int[3];
            List<SparseDistribution> proposals = new ArrayList<>();
            for (int i = 0; i < draft.length; i++) {
                SparseDistribution q = DRAFTER.next(prefix);
                draft[i] = TokenSampler.sample(q, SeededUniform.at(seed, 100 + i, 9));
                proposals.add(q);
                prefix.add(draft[i]);
            }
            ChainVerification.Outcome chain = ChainVerification.verify(draft, proposals,
                    i -> TARGET.next(prefixOf(draft, i)), seed, 20);
            TreeVerification.Outcome tree = TreeVerification.verify(draft, TreeVerification.chainParents(3), proposals,
                    node -> TARGET.next(prefixOf(draft, node + 1)), seed, 20);
            assertThat(tree.tokens()).containsExactly(chain.tokens());
            assertThat(tree.accepted()).isEqualTo(chain.accepted());
        }
    }

    @Test
    void shapesAreChecked() {
        assertThat(TreeVerification.depth(new int[] {-1, -1, 0, 2})).isEqualTo(3);
        assertThat(TreeVerification.children(new int[] {-1, -1, 0, 2}, -1)).containsExactly(0, 1);
        assertThatThrownBy(() -> TreeVerification.verify(new int[] {1, 2}, new int[] {-1, 1}, List.of(), n -> null, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TreeVerification.verify(new int[] {1}, new int[] {-1, 0}, List.of(), n -> null, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        // no nodes: one target sample, as a round without draft
        SparseDistribution p = TARGET.next(List.of());
        assertThat(TreeVerification.verify(new int[0], new int[0], List.of(), n -> p, 5, 3).tokens())
                .containsExactly(SpeculativeSampling.sampleTarget(p, 5, 3));
    }

    // ---- enumeration -----------------------------------------------------------------------------------------

    /** Exact law: at depth d every draw of widths[d] candidates from q, each outcome of the position's verdict. */
    private static void enumerateTree(List<Integer> emitted, double mass, int[] widths, int depth, Map<List<Integer>, Double> law) {
        if (depth == widths.length) { // a leaf: the bonus token
            TARGET.extend(emitted, mass, law, widths.length + 1);
            return;
        }
        SparseDistribution p = TARGET.next(emitted);
        SparseDistribution q = DRAFTER.next(emitted);
        for (int[] draw : draws(q, widths[depth])) {
            double drawMass = 1;
            for (int x : draw) {
                drawMass *= q.probabilityOf(x);
            }
            for (MultiDraftSampling.Outcome o : MultiDraftSampling.law(p, draw, q)) {
                List<Integer> next = append(emitted, o.token());
                if (o.accepted() >= 0) {
                    enumerateTree(next, mass * drawMass * o.probability(), widths, depth + 1, law);
                } else {
                    TARGET.extend(next, mass * drawMass * o.probability(), law, widths.length + 1);
                }
            }
        }
    }

    /** The law of the emitted tokens for a fixed tree. */
    private static void fixedTreeLaw(int[] tokens, int[] parents, List<SparseDistribution> proposals, Map<Integer, List<Integer>> pathOf,
            int node, double mass, Map<List<Integer>, Double> law) {
        int[] children = TreeVerification.children(parents, node);
        List<Integer> prefix = pathOf.get(node);
        SparseDistribution p = TARGET.next(prefix);
        if (children.length == 0) {
            for (int i = 0; i < p.size(); i++) {
                law.merge(append(prefix, p.idAt(i)), mass * p.probAt(i), Double::sum);
            }
            return;
        }
        int[] candidates = new int[children.length];
        for (int i = 0; i < children.length; i++) {
            candidates[i] = tokens[children[i]];
        }
        for (MultiDraftSampling.Outcome o : MultiDraftSampling.law(p, candidates, proposals.get(children[0]))) {
            if (o.accepted() >= 0) {
                fixedTreeLaw(tokens, parents, proposals, pathOf, children[o.accepted()], mass * o.probability(), law);
            } else {
                law.merge(append(prefix, o.token()), mass * o.probability(), Double::sum);
            }
        }
    }

    private static List<int[]> draws(SparseDistribution q, int width) {
        List<int[]> out = new ArrayList<>();
        out.add(new int[0]);
        for (int w = 0; w < width; w++) {
            List<int[]> longer = new ArrayList<>();
            for (int[] prefix : out) {
                for (int i = 0; i < q.size(); i++) {
                    int[] next = java.util.Arrays.copyOf(prefix, prefix.length + 1);
                    next[prefix.length] = q.idAt(i);
                    longer.add(next);
                }
            }
            out = longer;
        }
        return out;
    }

    // ---- trees -----------------------------------------------------------------------------------------------

    private static int[] drawn(List<Integer> prefix, int n, long seed) {
        SparseDistribution q = DRAFTER.next(prefix);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = TokenSampler.sample(q, SeededUniform.at(seed, i, 9));
        }
        return out;
    }

    private static int[] topTwo(List<Integer> prefix) {
        SparseDistribution q = DRAFTER.next(prefix);
        return q.size() == 1 ? new int[] {q.idAt(0)} : new int[] {q.idAt(0), q.idAt(1)};
    }

    private static int add(List<Integer> tokens, List<Integer> parents, List<SparseDistribution> proposals,
            Map<Integer, List<Integer>> pathOf, int parent, int token) {
        tokens.add(token);
        parents.add(parent);
        if (proposals != null) {
            proposals.add(DRAFTER.next(pathOf.get(parent)));
        }
        int node = tokens.size() - 1;
        pathOf.put(node, append(pathOf.get(parent), token));
        return node;
    }

    private static List<Integer> prefixOf(int[] draft, int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(draft[i]);
        }
        return out;
    }
}
