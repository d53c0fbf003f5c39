package org.commvq.cache.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CommutativeDesignTest {

    /** Spec oracle 3: TᵀT = 128·I exactly for the official 64-entry tables. */
    @Test
    void designMatrixIsOrthogonalUpTo128() {
        int c = 64;
        double[] t = DesignOracle.matrix(c);
        double[] tt = transposeTimes(t, null, 2 * c * c, 2 * c);
        for (int i = 0; i < 2 * c; i++) {
            for (int j = 0; j < 2 * c; j++) {
                assertEquals(i == j ? 128.0 : 0.0, tt[i * 2 * c + j], "TᵀT[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void normalMatrixAndRightHandSideMatchDenseProducts() {
        int c = 4;
        int pairs = 3;
        int rows = 2 * c * c;
        SplittableRandom rnd = new SplittableRandom(3);
        double[] t = DesignOracle.matrix(c);
        double[] counts = new double[c * c];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = rnd.nextDouble() * 5;
        }
        double[] weights = new double[rows];
        for (int k = 0; k < c * c; k++) {
            weights[2 * k] = counts[k] + CommutativeDesign.COUNT_FLOOR;
            weights[2 * k + 1] = counts[k] + CommutativeDesign.COUNT_FLOOR;
        }
        assertArrayEquals(transposeTimes(t, weights, rows, 2 * c), CommutativeDesign.normalMatrix(counts, c), 1e-12);

        int n = 7;
        float[] x = new float[n * 2 * pairs];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        double[][] w = new double[n][c * c];
        KeyEmStatistics stats = new KeyEmStatistics(c, pairs);
        int[] all = new int[c * c];
        for (int k = 0; k < all.length; k++) {
            all[k] = k;
        }
        for (int s = 0; s < n; s++) {
            double sum = 0;
            for (int k = 0; k < c * c; k++) {
                w[s][k] = rnd.nextDouble();
                sum += w[s][k];
            }
            for (int k = 0; k < c * c; k++) {
                w[s][k] /= sum;
            }
            stats.add(x, s * 2 * pairs, all, w[s], c * c);
        }
        double[] g = new double[rows * pairs];
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < c * c; k++) {
                for (int p = 0; p < pairs; p++) {
                    g[(2 * k) * pairs + p] += w[s][k] * x[s * 2 * pairs + 2 * p];
                    g[(2 * k + 1) * pairs + p] += w[s][k] * x[s * 2 * pairs + 2 * p + 1];
                }
            }
        }
        double[] expected = new double[2 * c * pairs];
        for (int col = 0; col < 2 * c; col++) {
            for (int p = 0; p < pairs; p++) {
                double s = 0;
                for (int r = 0; r < rows; r++) {
                    s += t[r * 2 * c + col] * g[r * pairs + p];
                }
                expected[col * pairs + p] = s;
            }
        }
        assertArrayEquals(expected, CommutativeDesign.rightHandSide(stats.sa, stats.sb, c, pairs), 1e-9);
    }

    /** The codeword a stage subtracts is row pair (2c, 2c+1) of T·φ_p (spec oracle 3's rule). */
    @Test
    void subtractedCodewordsAreTheDesignMatrixTimesTheta() {
        int c = 4;
        int pairs = 2;
        float[] theta = new float[pairs * 2 * c];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = i * 0.25f - 1;
        }
        StageTables tables = new StageTables(theta, pairs, c);
        double[] t = DesignOracle.matrix(c);
        for (int k = 0; k < c * c; k++) {
            float[] centers = new float[(k + 1) * 2 * pairs];
            tables.subtract(k, centers, k * 2 * pairs);
            for (int i = 0; i < centers.length; i++) {
                centers[i] = -centers[i];
            }
            for (int p = 0; p < pairs; p++) {
                double re = 0;
                double im = 0;
                for (int col = 0; col < 2 * c; col++) {
                    re += t[(2 * k) * 2 * c + col] * theta[p * 2 * c + col];
                    im += t[(2 * k + 1) * 2 * c + col] * theta[p * 2 * c + col];
                }
                assertEquals(re, centers[k * 2 * pairs + 2 * p], 1e-6);
                assertEquals(im, centers[k * 2 * pairs + 2 * p + 1], 1e-6);
            }
        }
    }

    /** Tᵀ·diag(w)·T (w = null: all ones) for a dense row-major rows×cols T. */
    static double[] transposeTimes(double[] t, double[] w, int rows, int cols) {
        double[] out = new double[cols * cols];
        for (int r = 0; r < rows; r++) {
            double wr = w == null ? 1 : w[r];
            for (int i = 0; i < cols; i++) {
                double a = t[r * cols + i];
                if (a == 0) {
                    continue;
                }
                for (int j = 0; j < cols; j++) {
                    out[i * cols + j] += wr * a * t[r * cols + j];
                }
            }
        }
        return out;
    }
}
