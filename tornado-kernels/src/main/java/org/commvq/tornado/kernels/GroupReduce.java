package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;

/**
 * Work-group reductions through local memory, inlined into the kernels that call them. Every thread of the group
 * must call them (they hold barriers), the group size must be a power of two no larger than {@link #MAX_GROUP}, and
 * every thread gets the result. Each call allocates its own local array, so two reductions in one kernel never
 * race on a shared slot.
 */
public final class GroupReduce {
    /** Largest work-group the kernels accept; local arrays are sized by it because their size must be a constant. */
    public static final int MAX_GROUP = 256;

    private GroupReduce() {
    }

    public static float sum(KernelContext ctx, float value) {
        float[] partial = ctx.allocateFloatLocalArray(MAX_GROUP);
        int tid = ctx.localIdx;
        partial[tid] = value;
        ctx.localBarrier();
        for (int stride = ctx.localGroupSizeX / 2; stride > 0; stride /= 2) {
            if (tid < stride) {
                partial[tid] += partial[tid + stride];
            }
            ctx.localBarrier();
        }
        return partial[0];
    }

    public static float max(KernelContext ctx, float value) {
        float[] partial = ctx.allocateFloatLocalArray(MAX_GROUP);
        int tid = ctx.localIdx;
        partial[tid] = value;
        ctx.localBarrier();
        for (int stride = ctx.localGroupSizeX / 2; stride > 0; stride /= 2) {
            if (tid < stride) {
                partial[tid] = TornadoMath.max(partial[tid], partial[tid + stride]);
            }
            ctx.localBarrier();
        }
        return partial[0];
    }
}
