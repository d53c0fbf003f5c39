package org.commvq.cache.train;

import org.commvq.cache.ExactAttention;
import org.commvq.cache.Workers;

/**
 * The attention-output term of the value loss on a batch of whole windows (spec §1.6):
 * <pre>
 *   term = Σ_t ‖(A·V̂ − A·V)_t · W_oᵀ‖² / (N·dim)        torch's MSE(o_proj(ii), o_proj(i)) over the batch's N tokens
 *   ΔO_h = A_h·(V̂ − V)_g                                 A_h = causal softmax(q_h·k_gᵀ/√d) in the window, g = h/(H/H_kv)
 *   G   = 2/(N·dim) · ΔO·W_oᵀW_o                          ∂term/∂ΔO, all query heads side by side
 *   ∂term/∂V̂_g = Σ_{h in g} A_hᵀ·G_h
 * </pre>
 * The batch's rows are its windows' tokens, window after window. Work is split by (window, head) and by row, each
 * task writing only its own outputs and summing in a fixed order, so the result does not depend on the thread
 * count.
 */
final class AttentionOutputLoss implements ValueNetwork.OutputTerm {
    private final LayerAttention layer;
    private final int[] windows;
    private final int[] rowStart;
    private final int rows;

    /** @param windows indices into the layer's windows, in batch-row order */
    AttentionOutputLoss(LayerAttention layer, int[] windows) {
        this.layer = layer;
        this.windows = windows.clone();
        this.rowStart = new int[windows.length];
        int r = 0;
        for (int w = 0; w < windows.length; w++) {
            rowStart[w] = r;
            r += layer.windowLength[windows[w]];
        }
        this.rows = r;
    }

    int rows() {
        return rows;
    }

    @Override
    public double addGradient(float[] vhat, float[] target, float[] dv) {
        Pass f = forward(vhat, target);
        double n = (double) rows * layer.outputDim;
        float[] g = new float[rows * layer.queryDim()];
        double sum = project(f.out, (float) (2 / n), g);
        backward(f, g, dv);
        return sum / n;
    }

    /** Σ over the batch of ‖(A·(a − b))_t·W_oᵀ‖² ({@code b} null: of A·a), the term before averaging. */
    double sumOfSquares(float[] a, float[] b) {
        return project(forward(a, b).out, 0, null);
    }

    /** Attention probabilities per (window, head), row i packed at i(i+1)/2, and ΔO [rows][heads·d]. */
    private record Pass(float[][] probs, float[] out) {
    }

    private Pass forward(float[] a, float[] b) {
        int f = layer.kvDim();
        int qDim = layer.queryDim();
        int d = layer.headDim;
        int heads = layer.heads;
        int group = heads / layer.kvHeads;
        float[] diff = a;
        if (b != null) {
            float[] delta = new float[rows * f];
            Workers.parallelFor(rows * f, 4096, i -> delta[i] = a[i] - b[i]);
            diff = delta;
        }
        float[] x = diff;
        float[][] probs = new float[windows.length * heads][];
        float[] out = new float[rows * qDim];
        float scale = (float) (1.0 / Math.sqrt(d));
        Workers.parallelFor(windows.length * heads, task -> {
            int w = task / heads;
            int h = task % heads;
            int kv = h / group;
            int len = layer.windowLength[windows[w]];
            int t0 = layer.windowStart[windows[w]];
            float[] p = new float[len * (len + 1) / 2];
            float[] row = new float[len];
            for (int i = 0; i < len; i++) {
                int q = (t0 + i) * qDim + h * d;
                for (int j = 0; j <= i; j++) {
                    int k = (t0 + j) * f + kv * d;
                    float s = 0;
                    for (int e = 0; e < d; e++) {
                        s += layer.queries[q + e] * layer.keys[k + e];
                    }
                    row[j] = s * scale;
                }
                ExactAttention.softmax(row, i + 1);
                int packed = i * (i + 1) / 2;
                System.arraycopy(row, 0, p, packed, i + 1);
                int o = (rowStart[w] + i) * qDim + h * d;
                for (int j = 0; j <= i; j++) {
                    Lanes.axpy(row[j], x, (rowStart[w] + j) * f + kv * d, out, o, d);
                }
            }
            probs[task] = p;
        });
        return new Pass(probs, out);
    }

    /**
     * Returns Σ_t ΔO_t·M·ΔO_t (M = W_oᵀW_o) and, when g is not null, writes g_t = c·M·ΔO_t (M is symmetric, so
     * row t of ΔO·M).
     */
    private double project(float[] out, float c, float[] g) {
        int qDim = layer.queryDim();
        double[] part = new double[rows];
        Workers.parallelFor(rows, 4, t -> {
            float[] m = new float[qDim];
            for (int a = 0; a < qDim; a++) {
                float o = out[t * qDim + a];
                if (o != 0) {
                    Lanes.axpy(o, layer.gram, a * qDim, m, 0, qDim);
                }
            }
            double s = 0;
            for (int a = 0; a < qDim; a++) {
                s += (double) out[t * qDim + a] * m[a];
                if (g != null) {
                    g[t * qDim + a] = c * m[a];
                }
            }
            part[t] = s;
        });
        double sum = 0;
        for (double s : part) {
            sum += s;
        }
        return sum;
    }

    /** dv_g += Σ_{h in g} A_hᵀ·G_h, one task per (window, KV head). */
    private void backward(Pass f, float[] g, float[] dv) {
        int kvDim = layer.kvDim();
        int qDim = layer.queryDim();
        int d = layer.headDim;
        int kvHeads = layer.kvHeads;
        int group = layer.heads / kvHeads;
        Workers.parallelFor(windows.length * kvHeads, task -> {
            int w = task / kvHeads;
            int kv = task % kvHeads;
            int len = layer.windowLength[windows[w]];
            float[] acc = new float[len * d];
            for (int h = kv * group; h < (kv + 1) * group; h++) {
                float[] p = f.probs()[w * layer.heads + h];
                for (int i = 0; i < len; i++) {
                    int packed = i * (i + 1) / 2;
                    int gi = (rowStart[w] + i) * qDim + h * d;
                    for (int j = 0; j <= i; j++) {
                        Lanes.axpy(p[packed + j], g, gi, acc, j * d, d);
                    }
                }
            }
            for (int j = 0; j < len; j++) {
                int off = (rowStart[w] + j) * kvDim + kv * d;
                for (int e = 0; e < d; e++) {
                    dv[off + e] += acc[j * d + e];
                }
            }
        });
    }
}
