package org.commvq.cache.commvq;

import org.commvq.cache.RopeParameters;

/**
 * cos and sin of every RoPE angle up to the cache's capacity, without a per-position table: angle(n) = angle(base) +
 * angle(t) with n = base + t, base a multiple of 128, both parts exact (double) and combined by one complex product
 * in float. Attention needs 2P angles per cached token per step; computing them with Math.cos would cost more than
 * the attention itself, and a full table (capacity × 2P floats) more memory than the 1-bit cache.
 */
final class CommVqRopeTable {
    static final int BLOCK = 128;

    private final int pairs;
    private final float[] base;
    private final float[] offset;

    CommVqRopeTable(RopeParameters parameters, int headDim, int capacity) {
        this.pairs = headDim / 2;
        double[] omega = parameters.frequencies(headDim);
        int blocks = (capacity + BLOCK - 1) / BLOCK;
        this.base = table(omega, blocks, BLOCK);
        this.offset = table(omega, BLOCK, 1);
    }

    private float[] table(double[] omega, int count, int step) {
        float[] t = new float[count * 2 * pairs];
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < pairs; p++) {
                double a = (double) i * step * omega[p];
                t[i * 2 * pairs + p] = (float) Math.cos(a);
                t[i * 2 * pairs + pairs + p] = (float) Math.sin(a);
            }
        }
        return t;
    }

    /** [blocks][2P]: cos of (128·b)·ω_p at p, sin at P + p. */
    float[] base() {
        return base;
    }

    /** [128][2P]: cos of t·ω_p at p, sin at P + p. */
    float[] offset() {
        return offset;
    }

    /** cos of pos·ω_p to out[off + p] and sin to out[off + P + p]. */
    void angles(int pos, float[] out, int off) {
        int b = (pos / BLOCK) * 2 * pairs;
        int o = (pos % BLOCK) * 2 * pairs;
        for (int p = 0; p < pairs; p++) {
            float cb = base[b + p];
            float sb = base[b + pairs + p];
            float co = offset[o + p];
            float so = offset[o + pairs + p];
            out[off + p] = cb * co - sb * so;
            out[off + pairs + p] = sb * co + cb * so;
        }
    }

    /** Rotates heads interleaved head vectors at v[off..] to position pos; {@code angles} holds 2P floats of scratch. */
    void rotate(float[] v, int off, int heads, int pos, float[] angles) {
        angles(pos, angles, 0);
        for (int h = 0; h < heads; h++) {
            int b = off + h * 2 * pairs;
            for (int p = 0; p < pairs; p++) {
                float c = angles[p];
                float s = angles[pairs + p];
                float x = v[b + 2 * p];
                float y = v[b + 2 * p + 1];
                v[b + 2 * p] = x * c - y * s;
                v[b + 2 * p + 1] = x * s + y * c;
            }
        }
    }
}
