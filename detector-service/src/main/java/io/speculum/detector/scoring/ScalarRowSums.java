package io.speculum.detector.scoring;

/** {@link RowSums} in plain loops: the reference the vector version is tested against, and the fallback. */
final class ScalarRowSums implements RowSums {

    @Override
    public float max(float[] row) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < row.length; i++) {
            float l = row[i];
            if (!(l < Float.POSITIVE_INFINITY)) { // NaN or +Infinity
                throw new IllegalArgumentException("logit of token " + i + " is " + l + "; logits must be finite or -Infinity");
            }
            max = Math.max(max, l);
        }
        return max;
    }

    @Override
    public int rank(float[] row, float target) {
        int rank = 0;
        for (float l : row) {
            rank += l > target ? 1 : 0;
        }
        return rank;
    }

    @Override
    public void moments(float[] row, float max, double[] sums) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        for (float l : row) {
            if (l != Float.NEGATIVE_INFINITY) {
                double x = (double) l - max;
                double e = Math.exp(x);
                s0 += e;
                s1 += e * x;
                s2 += e * x * x;
            }
        }
        store(sums, s0, s1, s2);
    }

    @Override
    public boolean crossMoments(float[] reference, float referenceMax, float[] scoring, float max, double[] sums) {
        double t0 = 0;
        double t1 = 0;
        double t2 = 0;
        boolean impossible = false;
        for (int i = 0; i < scoring.length; i++) {
            float r = reference[i];
            if (r != Float.NEGATIVE_INFINITY) {
                double q = Math.exp((double) r - referenceMax);
                if (scoring[i] == Float.NEGATIVE_INFINITY) {
                    impossible |= q > 0;
                    continue;
                }
                double x = (double) scoring[i] - max;
                t0 += q;
                t1 += q * x;
                t2 += q * x * x;
            }
        }
        store(sums, t0, t1, t2);
        return impossible;
    }

    private static void store(double[] sums, double zeroth, double first, double second) {
        sums[0] = zeroth;
        sums[1] = first;
        sums[2] = second;
    }
}
