package io.speculum.cascade.deferral;

/**
 * Training data standardised per feature (mean 0, standard deviation 1; a constant feature keeps scale 1), with a
 * leading column of ones for the intercept: what both regressions fit on.
 *
 * @param design {@code n × (d + 1)}: 1, then the standardised features
 */
record Standardised(double[] means, double[] scales, double[][] design) {

    static Standardised of(double[][] x) {
        int n = x.length;
        int d = x[0].length;
        double[] means = new double[d];
        double[] scales = new double[d];
        for (int j = 0; j < d; j++) {
            double sum = 0;
            for (double[] row : x) {
                sum += row[j];
            }
            means[j] = sum / n;
            double squares = 0;
            for (double[] row : x) {
                squares += (row[j] - means[j]) * (row[j] - means[j]);
            }
            double sd = Math.sqrt(squares / n);
            scales[j] = sd > 1e-12 ? sd : 1;
        }
        double[][] design = new double[n][d + 1];
        for (int i = 0; i < n; i++) {
            if (x[i].length != d) {
                throw new IllegalArgumentException("example " + i + " has " + x[i].length + " features, not " + d);
            }
            design[i][0] = 1;
            for (int j = 0; j < d; j++) {
                design[i][j + 1] = (x[i][j] - means[j]) / scales[j];
            }
        }
        return new Standardised(means, scales, design);
    }

    /** Gaussian elimination with partial pivoting (the systems are symmetric positive definite: the ridge sees to it). */
    static double[] solve(double[][] matrix, double[] rhs) {
        int m = rhs.length;
        double[][] a = new double[m][];
        for (int i = 0; i < m; i++) {
            a[i] = java.util.Arrays.copyOf(matrix[i], m + 1);
            a[i][m] = rhs[i];
        }
        for (int col = 0; col < m; col++) {
            int pivot = col;
            for (int r = col + 1; r < m; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] swap = a[col];
            a[col] = a[pivot];
            a[pivot] = swap;
            if (Math.abs(a[col][col]) < 1e-300) {
                throw new ArithmeticException("singular system");
            }
            for (int r = col + 1; r < m; r++) {
                double f = a[r][col] / a[col][col];
                for (int c = col; c <= m; c++) {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
        double[] x = new double[m];
        for (int r = m - 1; r >= 0; r--) {
            double s = a[r][m];
            for (int c = r + 1; c < m; c++) {
                s -= a[r][c] * x[c];
            }
            x[r] = s / a[r][r];
        }
        return x;
    }
}
