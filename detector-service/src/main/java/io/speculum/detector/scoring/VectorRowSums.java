package io.speculum.detector.scoring;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowSums} on the Vector API (loaded by name only where the JVM has {@code jdk.incubator.vector}): the
 * exponentials in double precision, as many lanes as the machine's widest double vector, from floats of half that
 * width. Sums go in another order than {@link ScalarRowSums}' (differences ~1e-15 relative).
 */
final class VectorRowSums implements RowSums {

    private static final VectorSpecies<Float> WIDE = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    /** Floats that convert lane for lane into one {@link #DOUBLES} vector. */
    private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class, VectorShape.forBitSize(DOUBLES.vectorBitSize() / 2));
    private static final ScalarRowSums SCALAR = new ScalarRowSums();

    @Override
    public float max(float[] row) {
        FloatVector max = FloatVector.broadcast(WIDE, Float.NEGATIVE_INFINITY);
        boolean invalid = false;
        for (int i = 0; i < row.length; i += WIDE.length()) {
            VectorMask<Float> in = WIDE.indexInRange(i, row.length);
            FloatVector v = FloatVector.fromArray(WIDE, row, i, in);
            invalid |= v.compare(VectorOperators.LT, Float.POSITIVE_INFINITY).not().and(in).anyTrue();
            max = max.lanewise(VectorOperators.MAX, v, in);
        }
        if (invalid) {
            return SCALAR.max(row); // names the offending token
        }
        return max.reduceLanes(VectorOperators.MAX);
    }

    @Override
    public int rank(float[] row, float target) {
        int rank = 0;
        for (int i = 0; i < row.length; i += WIDE.length()) {
            VectorMask<Float> in = WIDE.indexInRange(i, row.length);
            rank += FloatVector.fromArray(WIDE, row, i, in).compare(VectorOperators.GT, target, in).trueCount();
        }
        return rank;
    }

    @Override
    public void moments(float[] row, float max, double[] sums) {
        DoubleVector s0 = DoubleVector.zero(DOUBLES);
        DoubleVector s1 = s0;
        DoubleVector s2 = s0;
        for (int i = 0; i < row.length; i += HALF.length()) {
            VectorMask<Float> in = HALF.indexInRange(i, row.length);
            FloatVector l = FloatVector.fromArray(HALF, row, i, in);
            VectorMask<Double> live = l.compare(VectorOperators.NE, Float.NEGATIVE_INFINITY, in).cast(DOUBLES);
            DoubleVector x = ((DoubleVector) l.convertShape(VectorOperators.F2D, DOUBLES, 0)).sub(max).blend(0, live.not());
            DoubleVector e = x.lanewise(VectorOperators.EXP).blend(0, live.not());
            DoubleVector ex = e.mul(x);
            s0 = s0.add(e);
            s1 = s1.add(ex);
            s2 = ex.fma(x, s2);
        }
        store(sums, s0, s1, s2);
    }

    @Override
    public boolean crossMoments(float[] reference, float referenceMax, float[] scoring, float max, double[] sums) {
        DoubleVector t0 = DoubleVector.zero(DOUBLES);
        DoubleVector t1 = t0;
        DoubleVector t2 = t0;
        boolean impossible = false;
        for (int i = 0; i < scoring.length; i += HALF.length()) {
            VectorMask<Float> in = HALF.indexInRange(i, scoring.length);
            FloatVector r = FloatVector.fromArray(HALF, reference, i, in);
            FloatVector l = FloatVector.fromArray(HALF, scoring, i, in);
            VectorMask<Float> allowed = r.compare(VectorOperators.NE, Float.NEGATIVE_INFINITY, in);
            VectorMask<Float> ruledOut = l.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY, in);
            VectorMask<Double> live = allowed.andNot(ruledOut).cast(DOUBLES);
            DoubleVector q = ((DoubleVector) r.convertShape(VectorOperators.F2D, DOUBLES, 0)).sub(referenceMax)
                    .blend(Double.NEGATIVE_INFINITY, allowed.not().cast(DOUBLES)).lanewise(VectorOperators.EXP);
            impossible |= q.compare(VectorOperators.GT, 0.0, allowed.and(ruledOut).cast(DOUBLES)).anyTrue();
            DoubleVector x = ((DoubleVector) l.convertShape(VectorOperators.F2D, DOUBLES, 0)).sub(max).blend(0, live.not());
            q = q.blend(0, live.not());
            DoubleVector qx = q.mul(x);
            t0 = t0.add(q);
            t1 = t1.add(qx);
            t2 = qx.fma(x, t2);
        }
        store(sums, t0, t1, t2);
        return impossible;
    }

    private static void store(double[] sums, DoubleVector zeroth, DoubleVector first, DoubleVector second) {
        sums[0] = zeroth.reduceLanes(VectorOperators.ADD);
        sums[1] = first.reduceLanes(VectorOperators.ADD);
        sums[2] = second.reduceLanes(VectorOperators.ADD);
    }
}
