package org.commvq.cache.train;

/**
 * The design matrix T of CommVQ's key codebooks (spec §1.4) and the two products the M-step needs, built from
 * sufficient statistics instead of T itself. With C table entries, T ∈ {−1,0,1}^{2C²×2C}: row 2c (c = C·A + B) has
 * +1 at column 2A and −1 at 2B+1, row 2c+1 has +1 at 2B and +1 at 2A+1, so the C² centers of pair p are T·φ_p with
 * φ_p = [x_0, y_0, …, x_{C−1}, y_{C−1}].
 *
 * <p>Normal matrix TᵀST (S = diag of center weights N_c, each twice) entry by entry: row 2c contributes N_c at
 * (2A,2A), (2B+1,2B+1) and −N_c at (2A,2B+1), (2B+1,2A); row 2c+1 contributes N_c at (2B,2B), (2A+1,2A+1),
 * (2B,2A+1), (2A+1,2B). With all N_c = 1 this is C·2·I (TᵀT = 128·I for C = 64).
 *
 * <p>Right-hand side Tᵀ·g, where g stacks Σ_n W_nc·e_n: only the marginals of W over B (for A) and over A (for B)
 * matter, so with SA_j = Σ_n Σ_B W_{n,jB}·e_n and SB_j = Σ_n Σ_A W_{n,Aj}·e_n (complex per pair):
 * row 2j = Re SA_j + Im SB_j and row 2j+1 = Im SA_j − Re SB_j.
 */
final class CommutativeDesign {
    /** The spec's N_c = Σ_n W_nc + 1e-8, which keeps an empty center from making S singular on its own. */
    static final double COUNT_FLOOR = 1e-8;

    private CommutativeDesign() {
    }

    /** TᵀST as a dense [2C][2C] matrix from the center weights counts[C·A + B] (the floor is added here). */
    static double[] normalMatrix(double[] counts, int entries) {
        int n = 2 * entries;
        double[] m = new double[n * n];
        for (int a = 0; a < entries; a++) {
            for (int b = 0; b < entries; b++) {
                double w = counts[a * entries + b] + COUNT_FLOOR;
                m[(2 * a) * n + 2 * a] += w;
                m[(2 * b + 1) * n + 2 * b + 1] += w;
                m[(2 * a) * n + 2 * b + 1] -= w;
                m[(2 * b + 1) * n + 2 * a] -= w;
                m[(2 * b) * n + 2 * b] += w;
                m[(2 * a + 1) * n + 2 * a + 1] += w;
                m[(2 * b) * n + 2 * a + 1] += w;
                m[(2 * a + 1) * n + 2 * b] += w;
            }
        }
        return m;
    }

    /**
     * Tᵀ·g as [2C][P] from the marginal sums sa[j][2p + k] and sb[j][2p + k] (k = 0: real, 1: imaginary part of
     * pair p, the interleaved layout of a head vector).
     */
    static double[] rightHandSide(double[] sa, double[] sb, int entries, int pairs) {
        double[] rhs = new double[2 * entries * pairs];
        int width = 2 * pairs;
        for (int j = 0; j < entries; j++) {
            for (int p = 0; p < pairs; p++) {
                double saRe = sa[j * width + 2 * p];
                double saIm = sa[j * width + 2 * p + 1];
                double sbRe = sb[j * width + 2 * p];
                double sbIm = sb[j * width + 2 * p + 1];
                rhs[(2 * j) * pairs + p] = saRe + sbIm;
                rhs[(2 * j + 1) * pairs + p] = saIm - sbRe;
            }
        }
        return rhs;
    }
}
