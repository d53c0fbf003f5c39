package org.commvq.cache.train;

/**
 * One residual stage's θ [P][C][2] with the code-independent parts of ‖e − w(A,B)‖² (the fast encoder's
 * decomposition, spec §1.2): energies a_j = Σ_p |z_{p,j}|² and cross terms X_{A,B} = 2·Σ_p (y_A·x_B − x_A·y_B).
 * Sums run over p in order, so the tables do not depend on who builds them.
 */
final class StageTables {
    final int pairs;
    final int entries;
    final float[] theta;
    final float[] energy;
    final float[] cross;

    StageTables(float[] theta, int pairs, int entries) {
        this.pairs = pairs;
        this.entries = entries;
        this.theta = theta;
        this.energy = new float[entries];
        this.cross = new float[entries * entries];
        int width = 2 * entries;
        for (int j = 0; j < entries; j++) {
            double s = 0;
            for (int p = 0; p < pairs; p++) {
                double x = theta[p * width + 2 * j];
                double y = theta[p * width + 2 * j + 1];
                s += x * x + y * y;
            }
            energy[j] = (float) s;
        }
        for (int a = 0; a < entries; a++) {
            for (int b = 0; b < entries; b++) {
                double s = 0;
                for (int p = 0; p < pairs; p++) {
                    int base = p * width;
                    s += (double) theta[base + 2 * a + 1] * theta[base + 2 * b]
                            - (double) theta[base + 2 * a] * theta[base + 2 * b + 1];
                }
                cross[a * entries + b] = (float) (2 * s);
            }
        }
    }

    /** out[off..off+2P) −= w(code) (interleaved). */
    void subtract(int code, float[] out, int off) {
        int a = code / entries;
        int b = code % entries;
        int width = 2 * entries;
        for (int p = 0; p < pairs; p++) {
            int base = p * width;
            out[off + 2 * p] -= theta[base + 2 * a] - theta[base + 2 * b + 1];
            out[off + 2 * p + 1] -= theta[base + 2 * a + 1] + theta[base + 2 * b];
        }
    }
}
