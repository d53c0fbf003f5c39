package org.commvq.cache.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyMStepTest {
    private static final int C = 4;
    private static final int PAIRS = 3;

    /** The structured M-step equals weighted least squares solved directly on the stacked rows √w·T. */
    @Test
    void closedFormEqualsDirectLeastSquares() {
        SplittableRandom rnd = new SplittableRandom(11);
        int n = 40;
        int width = 2 * PAIRS;
        float[] x = new float[n * width];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        double[][] w = new double[n][C * C];
        KeyEmStatistics stats = new KeyEmStatistics(C, PAIRS);
        int[] all = codes();
        for (int s = 0; s < n; s++) {
            double sum = 0;
            for (int k = 0; k < C * C; k++) {
                w[s][k] = Math.exp(3 * rnd.nextDouble());
                sum += w[s][k];
            }
            for (int k = 0; k < C * C; k++) {
                w[s][k] /= sum;
            }
            stats.add(x, s * width, all, w[s], C * C);
        }
        float[] theta = KeyMStep.solve(stats, PAIRS, new float[PAIRS * 2 * C]);

        double[] t = DesignOracle.matrix(C);
        int cols = 2 * C;
        for (int p = 0; p < PAIRS; p++) {
            double[] ata = new double[cols * cols];
            double[] atb = new double[cols];
            for (int s = 0; s < n; s++) {
                for (int row = 0; row < 2 * C * C; row++) {
                    double weight = w[s][row / 2];
                    double target = x[s * width + 2 * p + (row % 2)];
                    for (int i = 0; i < cols; i++) {
                        atb[i] += weight * t[row * cols + i] * target;
                        for (int j = 0; j < cols; j++) {
                            ata[i * cols + j] += weight * t[row * cols + i] * t[row * cols + j];
                        }
                    }
                }
            }
            double[] direct = gaussianElimination(ata, atb, cols);
            for (int i = 0; i < cols; i++) {
                assertEquals(direct[i], theta[p * cols + i], 1e-5 * (1 + Math.abs(direct[i])),
                        "pair " + p + " entry " + i);
            }
        }
    }

    /** Spec oracle 8, second half: with uniform weights the M-step is φ = Tᵀm/(2C) (= Tᵀm/128 for C = 64). */
    @Test
    void uniformWeightsGiveTransposeOverTwoC() {
        SplittableRandom rnd = new SplittableRandom(5);
        int n = 25;
        int width = 2 * PAIRS;
        float[] x = new float[n * width];
        double[] mean = new double[width];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
            mean[i % width] += x[i] / (double) n;
        }
        double[] uniform = new double[C * C];
        Arrays.fill(uniform, 1.0 / (C * C));
        KeyEmStatistics stats = new KeyEmStatistics(C, PAIRS);
        for (int s = 0; s < n; s++) {
            stats.add(x, s * width, codes(), uniform, C * C);
        }
        float[] theta = KeyMStep.solve(stats, PAIRS, new float[PAIRS * 2 * C]);
        double[] t = DesignOracle.matrix(C);
        for (int p = 0; p < PAIRS; p++) {
            for (int col = 0; col < 2 * C; col++) {
                double s = 0;
                for (int row = 0; row < 2 * C * C; row++) {
                    s += t[row * 2 * C + col] * mean[2 * p + row % 2];
                }
                assertEquals(s / (2 * C), theta[p * 2 * C + col], 1e-6);
            }
        }
    }

    private static int[] codes() {
        int[] all = new int[C * C];
        for (int k = 0; k < all.length; k++) {
            all[k] = k;
        }
        return all;
    }

    private static double[] gaussianElimination(double[] a, double[] b, int n) {
        double[] m = a.clone();
        double[] y = b.clone();
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r * n + col]) > Math.abs(m[pivot * n + col])) {
                    pivot = r;
                }
            }
            for (int k = 0; k < n; k++) {
                double tmp = m[col * n + k];
                m[col * n + k] = m[pivot * n + k];
                m[pivot * n + k] = tmp;
            }
            double tmp = y[col];
            y[col] = y[pivot];
            y[pivot] = tmp;
            for (int r = col + 1; r < n; r++) {
                double f = m[r * n + col] / m[col * n + col];
                for (int k = col; k < n; k++) {
                    m[r * n + k] -= f * m[col * n + k];
                }
                y[r] -= f * y[col];
            }
        }
        double[] out = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = y[r];
            for (int k = r + 1; k < n; k++) {
                s -= m[r * n + k] * out[k];
            }
            out[r] = s / m[r * n + r];
        }
        return out;
    }
}
