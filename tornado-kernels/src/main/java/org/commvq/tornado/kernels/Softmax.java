package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Max-subtracted softmax, as {@code org.commvq.cache.ExactAttention.softmax}. Launch: a single work-group. */
public final class Softmax {
    private Softmax() {
    }

    /** values[0..n) become their softmax, in place. */
    public static void softmax(KernelContext ctx, FloatArray values, int n) {
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        float localMax = Float.NEGATIVE_INFINITY;
        for (int i = tid; i < n; i += size) {
            localMax = TornadoMath.max(localMax, values.get(i));
        }
        float sum = exponentiate(ctx, values, 0, n, GroupReduce.max(ctx, localMax));
        float inv = 1.0f / sum;
        for (int i = tid; i < n; i += size) {
            values.set(i, values.get(i) * inv);
        }
    }

    /**
     * values[base+i] = exp(values[base+i] − max) for i in [0, n); returns their sum to every thread of the group.
     * Each thread touches the same indices as in the caller's strided loops, so no barrier is needed before it.
     */
    public static float exponentiate(KernelContext ctx, FloatArray values, int base, int n, float max) {
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        float partial = 0.0f;
        for (int i = tid; i < n; i += size) {
            float e = TornadoMath.exp(values.get(base + i) - max);
            values.set(base + i, e);
            partial += e;
        }
        return GroupReduce.sum(ctx, partial);
    }
}
