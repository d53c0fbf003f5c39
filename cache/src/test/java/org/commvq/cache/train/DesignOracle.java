package org.commvq.cache.train;

/** Dense forms of the CommVQ key structure, as independent oracles for the trainer's structured shortcuts. */
final class DesignOracle {
    private DesignOracle() {
    }

    /** T as a dense row-major [2C²][2C] matrix, row 2c: +1 at 2A, −1 at 2B+1; row 2c+1: +1 at 2B, +1 at 2A+1. */
    static double[] matrix(int entries) {
        int cols = 2 * entries;
        double[] t = new double[2 * entries * entries * cols];
        for (int a = 0; a < entries; a++) {
            for (int b = 0; b < entries; b++) {
                int c = a * entries + b;
                t[(2 * c) * cols + 2 * a] = 1;
                t[(2 * c) * cols + 2 * b + 1] = -1;
                t[(2 * c + 1) * cols + 2 * b] = 1;
                t[(2 * c + 1) * cols + 2 * a + 1] = 1;
            }
        }
        return t;
    }

    /** The C² centers of one stage, [C²][2P] interleaved, from θ [P][C][2]: w_p(A,B) = (x_A − y_B, y_A + x_B). */
    static float[] centers(float[] theta, int pairs, int entries) {
        float[] out = new float[entries * entries * 2 * pairs];
        for (int a = 0; a < entries; a++) {
            for (int b = 0; b < entries; b++) {
                int row = (a * entries + b) * 2 * pairs;
                for (int p = 0; p < pairs; p++) {
                    int base = p * entries * 2;
                    out[row + 2 * p] = theta[base + 2 * a] - theta[base + 2 * b + 1];
                    out[row + 2 * p + 1] = theta[base + 2 * a + 1] + theta[base + 2 * b];
                }
            }
        }
        return out;
    }
}
