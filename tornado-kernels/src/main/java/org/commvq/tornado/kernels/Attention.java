package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Decode attention: one query token against tokens 0..position[0] of one layer's cache, with grouped-query heads
 * (query head h reads KV head h / groupSize). One work-group per query head:
 * <pre>
 *   q head ─► local memory
 *   scores[t] = q·k_t · scale          threads split the tokens     ─► group max
 *   scores[t] = exp(scores[t] − max)   same threads, same tokens    ─► group sum
 *   ── global barrier: the next phase reads every thread's scores ──
 *   out[d] = Σ_t scores[t]·v_t[d] / sum   threads split the head's dimensions
 * </pre>
 * Scores live in global scratch {@code [heads][capacity]}: a long context does not fit in local memory.
 * Launch: global = heads × group size, local = group size; headDim ≤ {@link GroupReduce#MAX_GROUP}.
 */
public final class Attention {
    private Attention() {
    }

    public static void f32(KernelContext ctx, FloatArray q, FloatArray keys, FloatArray values, FloatArray out,
                           FloatArray scores, IntArray position, int headDim, int kvDim, int groupSize, int capacity,
                           float scale) {
        int head = ctx.groupIdx;
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        int len = position.get(0) + 1;
        int kvBase = head / groupSize * headDim;
        int scoreBase = head * capacity;
        float[] query = ctx.allocateFloatLocalArray(GroupReduce.MAX_GROUP);
        for (int d = tid; d < headDim; d += size) {
            query[d] = q.get(head * headDim + d);
        }
        ctx.localBarrier();
        float localMax = Float.NEGATIVE_INFINITY;
        for (int t = tid; t < len; t += size) {
            int k = t * kvDim + kvBase;
            float dot = 0.0f;
            for (int d = 0; d < headDim; d++) {
                dot += query[d] * keys.get(k + d);
            }
            float s = dot * scale;
            scores.set(scoreBase + t, s);
            localMax = TornadoMath.max(localMax, s);
        }
        float sum = Softmax.exponentiate(ctx, scores, scoreBase, len, GroupReduce.max(ctx, localMax));
        ctx.globalBarrier();
        float inv = 1.0f / sum;
        for (int d = tid; d < headDim; d += size) {
            float acc = 0.0f;
            for (int t = 0; t < len; t++) {
                acc += scores.get(scoreBase + t) * values.get(t * kvDim + kvBase + d);
            }
            out.set(head * headDim + d, acc * inv);
        }
    }

    public static void f16(KernelContext ctx, FloatArray q, HalfFloatArray keys, HalfFloatArray values, FloatArray out,
                           FloatArray scores, IntArray position, int headDim, int kvDim, int groupSize, int capacity,
                           float scale) {
        int head = ctx.groupIdx;
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        int len = position.get(0) + 1;
        int kvBase = head / groupSize * headDim;
        int scoreBase = head * capacity;
        float[] query = ctx.allocateFloatLocalArray(GroupReduce.MAX_GROUP);
        for (int d = tid; d < headDim; d += size) {
            query[d] = q.get(head * headDim + d);
        }
        ctx.localBarrier();
        float localMax = Float.NEGATIVE_INFINITY;
        for (int t = tid; t < len; t += size) {
            int k = t * kvDim + kvBase;
            float dot = 0.0f;
            for (int d = 0; d < headDim; d++) {
                dot += query[d] * keys.get(k + d).getFloat32();
            }
            float s = dot * scale;
            scores.set(scoreBase + t, s);
            localMax = TornadoMath.max(localMax, s);
        }
        float sum = Softmax.exponentiate(ctx, scores, scoreBase, len, GroupReduce.max(ctx, localMax));
        ctx.globalBarrier();
        float inv = 1.0f / sum;
        for (int d = tid; d < headDim; d += size) {
            float acc = 0.0f;
            for (int t = 0; t < len; t++) {
                acc += scores.get(scoreBase + t) * values.get(t * kvDim + kvBase + d).getFloat32();
            }
            out.set(head * headDim + d, acc * inv);
        }
    }
}
