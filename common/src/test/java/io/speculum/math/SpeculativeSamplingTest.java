package io.speculum.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The one-position rule of speculative sampling, against its defining identity and independent arithmetic. */
class SpeculativeSamplingTest {

    private static final SplittableRandom RANDOM = new SplittableRandom(20261124);

    /** For every x: q(x)·a(x) + (1 − Σ_d q(d)·a(d))·r(x) = p(x), the identity that makes the output exact. */
    @RepeatedTest(200)
    void acceptanceAndResidualRecomposeTheTarget() {
        int vocabulary = 2 + RANDOM.nextInt(12);
        SparseDistribution p = randomDistribution(vocabulary, RANDOM.nextInt(4) == 0);
        SparseDistribution q = randomDistribution(vocabulary, RANDOM.nextInt(4) == 0);
        double rejection = 0;
        for (int i = 0; i < q.size(); i++) {
            rejection += q.probAt(i) * (1 - SpeculativeSampling.acceptanceProbability(p, q.idAt(i), q));
        }
        SparseDistribution residual = SpeculativeSampling.residual(p, q);
        for (int x = 0; x < vocabulary; x++) {
            double viaAcceptance = q.probabilityOf(x) * (q.probabilityOf(x) > 0 ? SpeculativeSampling.acceptanceProbability(p, x, q) : 0);
            double viaResidual = residual == null ? 0 : rejection * residual.probabilityOf(x);
            assertThat(viaAcceptance + viaResidual).as("token %d, p=%s q=%s", x, p, q).isCloseTo(p.probabilityOf(x), within(1e-5));
        }
    }

    @Test
    void residualIsTheNormalisedPositivePartOfTheDifference() {
        SparseDistribution p = new SparseDistribution(new int[] {0, 1, 2}, new float[] {0.5f, 0.3f, 0.2f});
        SparseDistribution q = new SparseDistribution(new int[] {0, 1, 3}, new float[] {0.7f, 0.1f, 0.2f});
        SparseDistribution r = SpeculativeSampling.residual(p, q);
        // max(0, p - q) = {1: 0.2, 2: 0.2} → {0.5, 0.5}; token 0 (p < q) and token 3 (outside p) get nothing
        assertThat(r.probabilityOf(1)).isCloseTo(0.5, within(1e-6));
        assertThat(r.probabilityOf(2)).isCloseTo(0.5, within(1e-6));
        assertThat(r.probabilityOf(0)).isZero();
        assertThat(r.probabilityOf(3)).isZero();
        assertThat(SpeculativeSampling.acceptanceProbability(p, 0, q)).isCloseTo(0.5 / 0.7, within(1e-6));
        assertThat(SpeculativeSampling.acceptanceProbability(p, 1, q)).isEqualTo(1.0);
        assertThat(SpeculativeSampling.acceptanceProbability(p, 3, q)).isZero();
        assertThat(SpeculativeSampling.residual(p, p)).isNull();
    }

    @Test
    void aPointMassDraftIsJudgedByTheTargetsOwnSample() {
        SparseDistribution p = new SparseDistribution(new int[] {4, 7, 9}, new float[] {0.6f, 0.3f, 0.1f});
        for (long position = 0; position < 500; position++) {
            int own = SpeculativeSampling.sampleTarget(p, 42, position);
            for (int draft : new int[] {4, 7, 9, 11}) {
                SpeculativeSampling.Verdict verdict = SpeculativeSampling.verify(p, draft, null, 42, position);
                assertThat(verdict.token()).isEqualTo(own);
                assertThat(verdict.accepted()).isEqualTo(own == draft);
                assertThat(SpeculativeSampling.verify(p, draft, SparseDistribution.pointMass(draft), 42, position)).isEqualTo(verdict);
            }
        }
    }

    @Test
    void greedyTargetsAcceptExactlyTheirArgmax() {
        SparseDistribution argmax = SparseDistribution.pointMass(3);
        SparseDistribution q = new SparseDistribution(new int[] {3, 5}, new float[] {0.5f, 0.5f});
        assertThat(SpeculativeSampling.verify(argmax, 3, q, 1, 10)).isEqualTo(new SpeculativeSampling.Verdict(true, 3));
        assertThat(SpeculativeSampling.verify(argmax, 5, q, 1, 10)).isEqualTo(new SpeculativeSampling.Verdict(false, 3));
        assertThat(SpeculativeSampling.verify(argmax, 5, null, 1, 10)).isEqualTo(new SpeculativeSampling.Verdict(false, 3));
    }

    @Test
    void decisionsDependOnlyOnSeedAndPosition() {
        SparseDistribution p = randomDistribution(8, false);
        SparseDistribution q = randomDistribution(8, false);
        for (long position = 0; position < 200; position++) {
            int draft = q.idAt((int) (position % q.size()));
            assertThat(SpeculativeSampling.verify(p, draft, q, 9, position)).isEqualTo(SpeculativeSampling.verify(p, draft, q, 9, position));
        }
    }

    static SparseDistribution randomDistribution(int vocabulary, boolean sparse) {
        int[] ids = new int[vocabulary];
        float[] probs = new float[vocabulary];
        int n = 0;
        double total = 0;
        for (int id = 0; id < vocabulary; id++) {
            if (sparse && n > 0 && RANDOM.nextInt(3) == 0) {
                continue;
            }
            double w = RANDOM.nextDouble() < 0.2 ? RANDOM.nextDouble() * 0.01 : RANDOM.nextDouble();
            ids[n] = id;
            probs[n] = (float) w;
            total += w;
            n++;
        }
        float[] normalised = new float[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            normalised[i] = (float) (probs[i] / total);
            sum += normalised[i];
        }
        normalised[n - 1] = (float) Math.max(0, normalised[n - 1] + (1 - sum));
        return new SparseDistribution(java.util.Arrays.copyOf(ids, n), normalised);
    }
}
