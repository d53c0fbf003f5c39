package org.commvq.cache.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;
import org.commvq.cache.codebook.ModelFingerprint;
import org.junit.jupiter.api.Test;

class AttentionOutputLossTest {
    /** 4 query heads on 2 KV heads of width 4; sequences of 5 tokens cut into windows of 3 and 2. */
    private static final ModelShape SHAPE = TrainFixtures.shape(1, 2, 4);
    private static final int SEQ_LEN = 5;
    private static final int SEQUENCES = 2;
    private static final int WINDOW = 3;
    /** W_o rows, unlike heads·d, so a mix-up of the two widths shows. */
    private static final int DIM = 6;
    /** Windows (sequence 1's first, sequence 0's first, sequence 1's second) in a shuffled batch order. */
    private static final int[] BATCH = {2, 0, 3};
    private static final int[] BATCH_TOKENS = {5, 6, 7, 0, 1, 2, 8, 9};

    private final int n = SEQ_LEN * SEQUENCES;
    private final float[] queries = TrainFixtures.rows(n, SHAPE.queryDim(), 1);
    private final float[] keys = TrainFixtures.rows(n, SHAPE.kvDim(), 2);
    private final float[] wo = TrainFixtures.rows(DIM, SHAPE.queryDim(), 3);
    private final LayerAttention attention = LayerAttention.of(manifest(), queries, keys, wo, WINDOW);

    /**
     * The term's gradient with respect to v̂ against central differences of an independent double-precision
     * oracle (attention and o_proj computed directly from the rotated q, k and W_o, no Gram matrix). The term is
     * quadratic in v̂, so the differences are exact up to rounding; the float gradient must agree to 1e-4.
     */
    @Test
    void gradientMatchesDoublePrecisionFiniteDifferences() {
        int rows = BATCH_TOKENS.length;
        int f = SHAPE.kvDim();
        float[] vhat = TrainFixtures.rows(rows, f, 4);
        float[] v = TrainFixtures.rows(rows, f, 5);
        float[] dv = new float[rows * f];
        double term = new AttentionOutputLoss(attention, BATCH).addGradient(vhat, v, dv);

        double[] x = new double[rows * f];
        for (int i = 0; i < x.length; i++) {
            x[i] = vhat[i];
        }
        double expected = oracle(x, v);
        assertEquals(expected, term, 1e-5 * expected);
        double largest = 0;
        for (float g : dv) {
            largest = Math.max(largest, Math.abs(g));
        }
        double h = 1e-3;
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + h;
            double up = oracle(x, v);
            x[i] = keep - h;
            double down = oracle(x, v);
            x[i] = keep;
            double numeric = (up - down) / (2 * h);
            assertEquals(numeric, dv[i], 1e-4 * largest + 1e-4 * Math.abs(numeric), "v̂ element " + i);
        }
        assertTrue(largest > 0);
    }

    /** With V̂ = V the term and its gradient are exactly zero; any other V̂ gives a positive term. */
    @Test
    void zeroWhenDecodedValuesEqualTheOriginals() {
        int rows = BATCH_TOKENS.length;
        float[] v = TrainFixtures.rows(rows, SHAPE.kvDim(), 6);
        float[] dv = new float[rows * SHAPE.kvDim()];
        AttentionOutputLoss loss = new AttentionOutputLoss(attention, BATCH);
        assertEquals(0.0, loss.addGradient(v.clone(), v, dv));
        for (float g : dv) {
            assertEquals(0f, g);
        }
        float[] other = v.clone();
        other[3] += 0.5f;
        assertTrue(loss.addGradient(other, v, dv) > 0);
    }

    /** Σ_t ‖(A·(V̂ − V))_t·W_oᵀ‖² / (N·dim) in double, straight from the definition. */
    private double oracle(double[] vhat, float[] v) {
        int d = SHAPE.headDim();
        int f = SHAPE.kvDim();
        int qDim = SHAPE.queryDim();
        float[] q = queries.clone();
        float[] k = keys.clone();
        Rope rope = new Rope(SHAPE.rope(), d);
        for (int t = 0; t < n; t++) {
            rope.rotate(q, t * qDim, SHAPE.heads(), t % SEQ_LEN);
            rope.rotate(k, t * f, SHAPE.kvHeads(), t % SEQ_LEN);
        }
        double sum = 0;
        int row0 = 0;
        for (int w : BATCH) {
            int start = w % 2 == 0 ? w / 2 * SEQ_LEN : w / 2 * SEQ_LEN + WINDOW;
            int len = w % 2 == 0 ? WINDOW : SEQ_LEN - WINDOW;
            for (int i = 0; i < len; i++) {
                double[] o = new double[qDim];
                for (int h = 0; h < SHAPE.heads(); h++) {
                    int g = h / SHAPE.groupSize();
                    double[] a = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        for (int e = 0; e < d; e++) {
                            a[j] += (double) q[(start + i) * qDim + h * d + e] * k[(start + j) * f + g * d + e];
                        }
                        a[j] /= Math.sqrt(d);
                        max = Math.max(max, a[j]);
                    }
                    double z = 0;
                    for (int j = 0; j <= i; j++) {
                        a[j] = Math.exp(a[j] - max);
                        z += a[j];
                    }
                    for (int j = 0; j <= i; j++) {
                        int r = (row0 + j) * f + g * d;
                        for (int e = 0; e < d; e++) {
                            o[h * d + e] += a[j] / z * (vhat[r + e] - v[r + e]);
                        }
                    }
                }
                for (int r = 0; r < DIM; r++) {
                    double p = 0;
                    for (int c = 0; c < qDim; c++) {
                        p += wo[r * qDim + c] * o[c];
                    }
                    sum += p * p;
                }
            }
            row0 += len;
        }
        return sum / ((double) BATCH_TOKENS.length * DIM);
    }

    private static KvManifest manifest() {
        return new KvManifest(ModelFingerprint.of(SHAPE, TrainFixtures.VOCAB_HASH), "synthetic.gguf",
                List.of("synthetic.txt"), "all", SEQ_LEN, SEQUENCES, 1, SHAPE.layers(), SHAPE.kvHeads(),
                SHAPE.headDim(), true);
    }
}
