package org.commvq.cache.vqkv;

import java.util.Arrays;
import org.commvq.cache.ExactAttention;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;
import org.commvq.cache.Workers;

/**
 * Decode-on-demand attention for one VQKV layer, as the paper computes it: stored tokens are decoded tile by tile
 * (Σ C_i[z_i] for the middle, fp16 for sinks and window), rotated to their positions, and scored; the call's own
 * tokens come exact from the caller. A decoded tile serves all G query heads of its KV head and a block of queries,
 * because decoding a middle token (stages × head_dim adds) costs more than G dot products. Each row's logits go
 * through one {@link ExactAttention#softmax}.
 */
final class VqkvAttention {
    private static final int TILE = 32;
    /** Logit floats one job may hold; bounds the query block of a long prefill chunk. */
    private static final int LOGIT_BUDGET = 1 << 20;

    private VqkvAttention() {
    }

    static void attend(VqkvLayer layer, ModelShape s, Rope rope, int pos, int n, float[] queries,
                       float[] newKeys, float[] newValues, float[] out) {
        int group = s.groupSize();
        int perBlock = Math.max(1, Math.min(n, LOGIT_BUDGET / (group * (pos + n))));
        int blocks = (n + perBlock - 1) / perBlock;
        Workers.parallelFor(s.kvHeads() * blocks, 1, job -> {
            int g = job / blocks;
            int first = (job % blocks) * perBlock;
            attendBlock(layer, s, rope, g, first, Math.min(n, first + perBlock), pos, queries, newKeys, newValues, out);
        });
    }

    private static void attendBlock(VqkvLayer layer, ModelShape s, Rope rope, int g, int first, int end, int pos,
                                    float[] queries, float[] newKeys, float[] newValues, float[] out) {
        int group = s.groupSize();
        int hd = s.headDim();
        int qDim = s.queryDim();
        int kvDim = s.kvDim();
        float scale = (float) (1.0 / Math.sqrt(hd));
        int rows = (end - first) * group;
        int[] rowOff = new int[rows];
        float[][] p = new float[rows][];
        for (int r = 0; r < rows; r++) {
            int i = first + r / group;
            rowOff[r] = i * qDim + (g * group + r % group) * hd;
            p[r] = new float[pos + i + 1];
        }
        float[] tile = new float[TILE * hd];
        int[] scratch = layer.scratch();
        PositionRotation rotation = new PositionRotation(rope, TILE);
        for (int t0 = 0; t0 < pos; t0 += TILE) {
            int count = Math.min(TILE, pos - t0);
            for (int j = 0; j < count; j++) {
                layer.decodeKey(g, t0 + j, tile, j * hd, scratch);
            }
            rotation.rotate(tile, t0, count);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < count; j++) {
                    p[r][t0 + j] = dot(queries, rowOff[r], tile, j * hd, hd) * scale;
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            int i = first + r / group;
            for (int j = 0; j <= i; j++) {
                p[r][pos + j] = dot(queries, rowOff[r], newKeys, j * kvDim + g * hd, hd) * scale;
            }
            ExactAttention.softmax(p[r], pos + i + 1);
            Arrays.fill(out, rowOff[r], rowOff[r] + hd, 0f);
        }
        for (int t0 = 0; t0 < pos; t0 += TILE) {
            int count = Math.min(TILE, pos - t0);
            for (int j = 0; j < count; j++) {
                layer.decodeValue(g, t0 + j, tile, j * hd, scratch);
            }
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < count; j++) {
                    axpy(p[r][t0 + j], tile, j * hd, out, rowOff[r], hd);
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            int i = first + r / group;
            for (int j = 0; j <= i; j++) {
                axpy(p[r][pos + j], newValues, j * kvDim + g * hd, out, rowOff[r], hd);
            }
        }
    }

    private static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s = 0;
        for (int d = 0; d < n; d++) {
            s += a[aOff + d] * b[bOff + d];
        }
        return s;
    }

    private static void axpy(float w, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int d = 0; d < n; d++) {
            y[yOff + d] += w * x[xOff + d];
        }
    }
}
