package org.commvq.cache.train;

/**
 * What an E-step gathers for the M-step over a run of tokens: center weights N_c (c = C·A + B), the marginal sums
 * SA_j = Σ_n (Σ_B W_{n,jB})·e_n and SB_j = Σ_n (Σ_A W_{n,Aj})·e_n, and the hard loss Σ_n s_n²·min_c ‖e_n − w_c‖².
 * Runs are merged in a fixed order, so the totals do not depend on how many threads produced them.
 */
final class KeyEmStatistics {
    final int entries;
    final int width;
    final double[] counts;
    final double[] sa;
    final double[] sb;
    double hardLoss;
    private final double[] marginalA;
    private final double[] marginalB;

    KeyEmStatistics(int entries, int pairs) {
        this.entries = entries;
        this.width = 2 * pairs;
        this.counts = new double[entries * entries];
        this.sa = new double[entries * width];
        this.sb = new double[entries * width];
        this.marginalA = new double[entries];
        this.marginalB = new double[entries];
    }

    /** Adds one token e = x[off..off+2P) with weights w[i] on codes[i], i &lt; n (the weights sum to 1). */
    void add(float[] x, int off, int[] codes, double[] w, int n) {
        for (int i = 0; i < n; i++) {
            int c = codes[i];
            counts[c] += w[i];
            marginalA[c / entries] += w[i];
            marginalB[c % entries] += w[i];
        }
        for (int j = 0; j < entries; j++) {
            if (marginalA[j] != 0) {
                axpy(marginalA[j], x, off, sa, j * width);
                marginalA[j] = 0;
            }
            if (marginalB[j] != 0) {
                axpy(marginalB[j], x, off, sb, j * width);
                marginalB[j] = 0;
            }
        }
    }

    /** this += other. */
    void merge(KeyEmStatistics other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        for (int i = 0; i < sa.length; i++) {
            sa[i] += other.sa[i];
            sb[i] += other.sb[i];
        }
        hardLoss += other.hardLoss;
    }

    private void axpy(double alpha, float[] x, int off, double[] y, int yOff) {
        for (int i = 0; i < width; i++) {
            y[yOff + i] += alpha * x[off + i];
        }
    }
}
