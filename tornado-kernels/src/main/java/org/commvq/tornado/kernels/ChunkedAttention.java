package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Decode attention over a dense cache of post-RoPE keys and values {@code [capacity][kvDim]}, split so that the whole
 * device works on a long context (flash-decoding): one query token against tokens 0..position[0].
 * <pre>
 *  logits   a thread per (token, KV head): scores[q-head][n] = q·k_n·scale for the KV head's query heads, 4 at a time
 *  values   a work-group per (chunk c, KV head), a thread per dimension: per query head m_c = max score,
 *           sum_c = Σ e^{score−m_c}, acc_c[d] = Σ e^{score−m_c}·v_n[d]
 *  combine  a work-group per query head: M = max m_c, out[d] = Σ_c acc_c[d]·e^{m_c−M} / Σ_c sum_c·e^{m_c−M}
 * </pre>
 * The CPU twins are {@code Fp32KvCache} and {@code Fp16KvCache}: the same softmax, assembled from per-chunk maxima.
 * A single work-group per query head walking every token took 57.6 ms per layer at 128K tokens on the H100.
 * The softmax weights are computed inline in both values kernels rather than in a shared helper: writes that a
 * helper made to a local array passed to it were lost under TornadoVM 5.2 (every head but the first read zeros).
 */
public final class ChunkedAttention {
    /** Most tokens one values work-group takes. */
    public static final int MAX_CHUNK = 512;
    /** Most query heads per KV head. */
    public static final int MAX_GROUP_HEADS = 8;

    private ChunkedAttention() {
    }

    /** Throws IllegalArgumentException when a shape exceeds the kernels' local arrays. */
    public static void check(int heads, int kvHeads, int headDim, int chunk) {
        if (heads % kvHeads != 0 || heads / kvHeads > MAX_GROUP_HEADS) {
            throw new IllegalArgumentException("attention: " + heads + " query heads over " + kvHeads
                    + " KV heads, the kernels take whole groups of at most " + MAX_GROUP_HEADS);
        }
        if (headDim > GroupReduce.MAX_GROUP || Integer.bitCount(headDim) != 1 || chunk > MAX_CHUNK) {
            throw new IllegalArgumentException("attention: head_dim " + headDim + " must be a power of two up to "
                    + GroupReduce.MAX_GROUP + ", chunks at most " + MAX_CHUNK + " tokens");
        }
    }

    /** Tokens per values work-group for a capacity: about 256 chunks, 64 to MAX_CHUNK tokens each. */
    public static int chunkFor(int capacity) {
        return chunkFor(capacity, 64, MAX_CHUNK);
    }

    /**
     * The smallest power of two from min to max that cuts a capacity into at most 256 chunks, so a long context keeps
     * about two work-groups per SM busy and a short one still splits.
     */
    static int chunkFor(int capacity, int min, int max) {
        int chunk = min;
        while (chunk < max && (long) chunk * 256 < capacity) {
            chunk *= 2;
        }
        return chunk;
    }

    /**
     * Launch: any number of threads; each takes (token, KV head) pairs in a grid-stride loop and reads the key once
     * for up to 4 of the KV head's query heads: with a pass over the key per query head, 1024 tokens took 93 µs per
     * layer on the H100 (LLaMA-3.1-8B shape). A head's dot product still adds its terms in order of d, as the CPU
     * twin does.
     */
    public static void logitsF32(KernelContext ctx, FloatArray q, FloatArray keys, FloatArray scores,
                                 IntArray position, int heads, int kvHeads, int headDim, int capacity, float scale) {
        int pairs = (position.get(0) + 1) * kvHeads;
        int qPerKv = heads / kvHeads;
        int kvDim = kvHeads * headDim;
        for (int i = ctx.globalIdx; i < pairs; i += ctx.globalGroupSizeX) {
            int n = i / kvHeads;
            int h = i - n * kvHeads;
            int key = n * kvDim + h * headDim;
            for (int g = 0; g < qPerKv; g += 4) {
                int head = h * qPerKv + g;
                int q0 = head * headDim;
                int q1 = (head + TornadoMath.min(1, qPerKv - 1 - g)) * headDim;
                int q2 = (head + TornadoMath.min(2, qPerKv - 1 - g)) * headDim;
                int q3 = (head + TornadoMath.min(3, qPerKv - 1 - g)) * headDim;
                float d0 = 0.0f;
                float d1 = 0.0f;
                float d2 = 0.0f;
                float d3 = 0.0f;
                for (int d = 0; d < headDim; d++) {
                    float k = keys.get(key + d);
                    d0 += q.get(q0 + d) * k;
                    d1 += q.get(q1 + d) * k;
                    d2 += q.get(q2 + d) * k;
                    d3 += q.get(q3 + d) * k;
                }
                storeEight(scores, head * capacity + n, capacity, TornadoMath.min(4, qPerKv - g), d0 * scale,
                        d1 * scale, d2 * scale, d3 * scale, 0.0f, 0.0f, 0.0f, 0.0f);
            }
        }
    }

    public static void logitsF16(KernelContext ctx, FloatArray q, HalfFloatArray keys, FloatArray scores,
                                 IntArray position, int heads, int kvHeads, int headDim, int capacity, float scale) {
        int pairs = (position.get(0) + 1) * kvHeads;
        int qPerKv = heads / kvHeads;
        int kvDim = kvHeads * headDim;
        for (int i = ctx.globalIdx; i < pairs; i += ctx.globalGroupSizeX) {
            int n = i / kvHeads;
            int h = i - n * kvHeads;
            int key = n * kvDim + h * headDim;
            for (int g = 0; g < qPerKv; g += 4) {
                int head = h * qPerKv + g;
                int q0 = head * headDim;
                int q1 = (head + TornadoMath.min(1, qPerKv - 1 - g)) * headDim;
                int q2 = (head + TornadoMath.min(2, qPerKv - 1 - g)) * headDim;
                int q3 = (head + TornadoMath.min(3, qPerKv - 1 - g)) * headDim;
                float d0 = 0.0f;
                float d1 = 0.0f;
                float d2 = 0.0f;
                float d3 = 0.0f;
                for (int d = 0; d < headDim; d++) {
                    float k = keys.get(key + d).getFloat32();
                    d0 += q.get(q0 + d) * k;
                    d1 += q.get(q1 + d) * k;
                    d2 += q.get(q2 + d) * k;
                    d3 += q.get(q3 + d) * k;
                }
                storeEight(scores, head * capacity + n, capacity, TornadoMath.min(4, qPerKv - g), d0 * scale,
                        d1 * scale, d2 * scale, d3 * scale, 0.0f, 0.0f, 0.0f, 0.0f);
            }
        }
    }

    /**
     * Launch: ⌈capacity/chunk⌉·kvHeads work-groups of headDim threads (group c·kvHeads + h); groups past the
     * context return at once.
     */
    public static void valuesF32(KernelContext ctx, FloatArray scores, FloatArray values, FloatArray chunkMax,
                                 FloatArray chunkSum, FloatArray chunkAcc, IntArray position, int heads, int kvHeads,
                                 int headDim, int chunk, int capacity) {
        int c = ctx.groupIdx / kvHeads;
        int h = ctx.groupIdx - c * kvHeads;
        int start = c * chunk;
        int end = TornadoMath.min(start + chunk, position.get(0) + 1);
        if (start >= end) {
            return;
        }
        float[] w = ctx.allocateFloatLocalArray(MAX_GROUP_HEADS * MAX_CHUNK);
        int qPerKv = heads / kvHeads;
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        for (int g = 0; g < qPerKv; g++) {
            int head = h * qPerKv + g;
            float localMax = Float.NEGATIVE_INFINITY;
            for (int n = start + tid; n < end; n += size) {
                localMax = TornadoMath.max(localMax, scores.get(head * capacity + n));
            }
            float m = GroupReduce.max(ctx, localMax);
            float partial = 0.0f;
            for (int n = start + tid; n < end; n += size) {
                float e = TornadoMath.exp(scores.get(head * capacity + n) - m);
                w[g * MAX_CHUNK + n - start] = e;
                partial += e;
            }
            float sum = GroupReduce.sum(ctx, partial);
            if (tid == 0) {
                chunkMax.set(c * heads + head, m);
                chunkSum.set(c * heads + head, sum);
            }
        }
        for (int i = qPerKv * MAX_CHUNK + tid; i < MAX_GROUP_HEADS * MAX_CHUNK; i += size) {
            w[i] = 0.0f;
        }
        ctx.localBarrier();
        int d = ctx.localIdx;
        int kvDim = kvHeads * headDim;
        float a0 = 0.0f;
        float a1 = 0.0f;
        float a2 = 0.0f;
        float a3 = 0.0f;
        float a4 = 0.0f;
        float a5 = 0.0f;
        float a6 = 0.0f;
        float a7 = 0.0f;
        for (int n = start; n < end; n++) {
            float v = values.get(n * kvDim + h * headDim + d);
            int at = n - start;
            a0 += w[at] * v;
            a1 += w[MAX_CHUNK + at] * v;
            a2 += w[2 * MAX_CHUNK + at] * v;
            a3 += w[3 * MAX_CHUNK + at] * v;
            a4 += w[4 * MAX_CHUNK + at] * v;
            a5 += w[5 * MAX_CHUNK + at] * v;
            a6 += w[6 * MAX_CHUNK + at] * v;
            a7 += w[7 * MAX_CHUNK + at] * v;
        }
        storeEight(chunkAcc, (c * heads + h * qPerKv) * headDim + d, headDim, qPerKv, a0, a1, a2, a3, a4, a5, a6,
                a7);
    }

    public static void valuesF16(KernelContext ctx, FloatArray scores, HalfFloatArray values, FloatArray chunkMax,
                                 FloatArray chunkSum, FloatArray chunkAcc, IntArray position, int heads, int kvHeads,
                                 int headDim, int chunk, int capacity) {
        int c = ctx.groupIdx / kvHeads;
        int h = ctx.groupIdx - c * kvHeads;
        int start = c * chunk;
        int end = TornadoMath.min(start + chunk, position.get(0) + 1);
        if (start >= end) {
            return;
        }
        float[] w = ctx.allocateFloatLocalArray(MAX_GROUP_HEADS * MAX_CHUNK);
        int qPerKv = heads / kvHeads;
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        for (int g = 0; g < qPerKv; g++) {
            int head = h * qPerKv + g;
            float localMax = Float.NEGATIVE_INFINITY;
            for (int n = start + tid; n < end; n += size) {
                localMax = TornadoMath.max(localMax, scores.get(head * capacity + n));
            }
            float m = GroupReduce.max(ctx, localMax);
            float partial = 0.0f;
            for (int n = start + tid; n < end; n += size) {
                float e = TornadoMath.exp(scores.get(head * capacity + n) - m);
                w[g * MAX_CHUNK + n - start] = e;
                partial += e;
            }
            float sum = GroupReduce.sum(ctx, partial);
            if (tid == 0) {
                chunkMax.set(c * heads + head, m);
                chunkSum.set(c * heads + head, sum);
            }
        }
        for (int i = qPerKv * MAX_CHUNK + tid; i < MAX_GROUP_HEADS * MAX_CHUNK; i += size) {
            w[i] = 0.0f;
        }
        ctx.localBarrier();
        int d = ctx.localIdx;
        int kvDim = kvHeads * headDim;
        float a0 = 0.0f;
        float a1 = 0.0f;
        float a2 = 0.0f;
        float a3 = 0.0f;
        float a4 = 0.0f;
        float a5 = 0.0f;
        float a6 = 0.0f;
        float a7 = 0.0f;
        for (int n = start; n < end; n++) {
            float v = values.get(n * kvDim + h * headDim + d).getFloat32();
            int at = n - start;
            a0 += w[at] * v;
            a1 += w[MAX_CHUNK + at] * v;
            a2 += w[2 * MAX_CHUNK + at] * v;
            a3 += w[3 * MAX_CHUNK + at] * v;
            a4 += w[4 * MAX_CHUNK + at] * v;
            a5 += w[5 * MAX_CHUNK + at] * v;
            a6 += w[6 * MAX_CHUNK + at] * v;
            a7 += w[7 * MAX_CHUNK + at] * v;
        }
        storeEight(chunkAcc, (c * heads + h * qPerKv) * headDim + d, headDim, qPerKv, a0, a1, a2, a3, a4, a5, a6,
                a7);
    }

    /**
     * a0..a7 to a[base + k·stride] for k below count (at least 1): the eight accumulators a kernel keeps in registers
     * for up to eight heads, since TornadoVM kernels have no private arrays to loop over.
     */
    static void storeEight(FloatArray a, int base, int stride, int count, float a0, float a1, float a2, float a3,
                           float a4, float a5, float a6, float a7) {
        a.set(base, a0);
        setIf(a, base + stride, a1, 1 < count);
        setIf(a, base + 2 * stride, a2, 2 < count);
        setIf(a, base + 3 * stride, a3, 3 < count);
        setIf(a, base + 4 * stride, a4, 4 < count);
        setIf(a, base + 5 * stride, a5, 5 < count);
        setIf(a, base + 6 * stride, a6, 6 < count);
        setIf(a, base + 7 * stride, a7, 7 < count);
    }

    private static void setIf(FloatArray a, int index, float value, boolean inRange) {
        if (inRange) {
            a.set(index, value);
        }
    }

    /** Launch: heads work-groups (query head = group), a thread per dimension at least. */
    public static void combine(KernelContext ctx, FloatArray chunkMax, FloatArray chunkSum, FloatArray chunkAcc,
                               FloatArray out, IntArray position, int heads, int headDim, int chunk) {
        int head = ctx.groupIdx;
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        int chunks = (position.get(0) + chunk) / chunk;
        float localMax = Float.NEGATIVE_INFINITY;
        for (int c = tid; c < chunks; c += size) {
            localMax = TornadoMath.max(localMax, chunkMax.get(c * heads + head));
        }
        float max = GroupReduce.max(ctx, localMax);
        float partial = 0.0f;
        for (int c = tid; c < chunks; c += size) {
            partial += chunkSum.get(c * heads + head) * TornadoMath.exp(chunkMax.get(c * heads + head) - max);
        }
        float inv = 1.0f / GroupReduce.sum(ctx, partial);
        for (int d = tid; d < headDim; d += size) {
            float v = 0.0f;
            for (int c = 0; c < chunks; c++) {
                v += chunkAcc.get((c * heads + head) * headDim + d)
                        * TornadoMath.exp(chunkMax.get(c * heads + head) - max);
            }
            out.set(head * headDim + d, v * inv);
        }
    }
}
