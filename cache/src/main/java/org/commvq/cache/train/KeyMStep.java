package org.commvq.cache.train;

/**
 * The closed-form M-step of CommVQ's key EM (spec §1.4): φ_p = (TᵀST)⁻¹·Tᵀ·g_p for all P pairs at once, one
 * Cholesky factorization of the 2C×2C normal matrix shared by the P right-hand sides, in double.
 *
 * <p>An entry j that no token used (as A or as B) leaves its rows of TᵀST at the spec's 1e-8 floor, which makes
 * the system near-singular. Then a ridge pulls the solution toward the previous θ: (M + εI)·φ = b + ε·φ_prev. Entries
 * with data barely move (ε is 1e-6 of the largest diagonal), unused ones keep their old value, and the step still
 * never increases the weighted loss, since φ_prev is a candidate of the ridge problem.
 */
final class KeyMStep {
    /** A pivot below this fraction of the largest diagonal entry counts as near-singular. */
    static final double SINGULAR = 1e-7;
    /** The ridge, as a fraction of the largest diagonal entry. */
    static final double RIDGE = 1e-6;

    private KeyMStep() {
    }

    /**
     * @param previous θ [P][C][2] of the last iterate, the ridge's anchor
     * @return the new θ [P][C][2]
     */
    static float[] solve(KeyEmStatistics stats, int pairs, float[] previous) {
        int entries = stats.entries;
        int n = 2 * entries;
        double[] m = CommutativeDesign.normalMatrix(stats.counts, entries);
        double[] rhs = CommutativeDesign.rightHandSide(stats.sa, stats.sb, entries, pairs);
        double maxDiag = 0;
        for (int i = 0; i < n; i++) {
            maxDiag = Math.max(maxDiag, m[i * n + i]);
        }
        double[] factor = m.clone();
        if (!cholesky(factor, n, SINGULAR * maxDiag)) {
            double ridge = RIDGE * maxDiag;
            factor = m.clone();
            for (int i = 0; i < n; i++) {
                factor[i * n + i] += ridge;
            }
            for (int row = 0; row < n; row++) {
                for (int p = 0; p < pairs; p++) {
                    rhs[row * pairs + p] += ridge * previous[p * n + row];
                }
            }
            if (!cholesky(factor, n, 0)) {
                throw new IllegalStateException("key M-step: normal matrix is not positive definite even with a ridge");
            }
        }
        float[] theta = new float[pairs * n];
        double[] col = new double[n];
        for (int p = 0; p < pairs; p++) {
            for (int row = 0; row < n; row++) {
                col[row] = rhs[row * pairs + p];
            }
            substitute(factor, n, col);
            for (int row = 0; row < n; row++) {
                theta[p * n + row] = (float) col[row];
            }
        }
        return theta;
    }

    /** In-place lower Cholesky factor of a (row-major n×n); false when a pivot falls to {@code minPivot} or below. */
    static boolean cholesky(double[] a, int n, double minPivot) {
        for (int j = 0; j < n; j++) {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) {
                d -= a[j * n + k] * a[j * n + k];
            }
            if (!(d > minPivot)) {
                return false;
            }
            double l = Math.sqrt(d);
            a[j * n + j] = l;
            for (int i = j + 1; i < n; i++) {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) {
                    s -= a[i * n + k] * a[j * n + k];
                }
                a[i * n + j] = s / l;
            }
        }
        return true;
    }

    /** Solves L·Lᵀ·x = b in place, L the lower factor from {@link #cholesky}. */
    static void substitute(double[] l, int n, double[] b) {
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i * n + k] * b[k];
            }
            b[i] = s / l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double s = b[i];
            for (int k = i + 1; k < n; k++) {
                s -= l[k * n + i] * b[k];
            }
            b[i] = s / l[i * n + i];
        }
    }
}
