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
        return segmentSum(ctx, value, ctx.localGroupSizeX);
    }

    /**
     * Sums over aligned segments of {@code segment} consecutive threads (a power of two dividing the group size);
     * every thread gets its own segment's sum. A segment of 32 is one warp on NVIDIA GPUs, but the sum goes through
     * local memory so that it is the same on every backend (TornadoVM's warp shuffles exist only on PTX).
     */
    public static float segmentSum(KernelContext ctx, float value, int segment) {
        float[] partial = ctx.allocateFloatLocalArray(MAX_GROUP);
        int tid = ctx.localIdx;
        int lane = tid & (segment - 1);
        partial[tid] = value;
        ctx.localBarrier();
        for (int stride = segment / 2; stride > 0; stride /= 2) {
            if (lane < stride) {
                partial[tid] += partial[tid + stride];
            }
            ctx.localBarrier();
        }
        return partial[tid - lane];
    }

    public static float max(KernelContext ctx, float value) {
        return segmentMax(ctx, value, ctx.localGroupSizeX);
    }

    /** The maximum over aligned segments, as {@link #segmentSum} sums them. */
    public static float segmentMax(KernelContext ctx, float value, int segment) {
        float[] partial = ctx.allocateFloatLocalArray(MAX_GROUP);
        int tid = ctx.localIdx;
        int lane = tid & (segment - 1);
        partial[tid] = value;
        ctx.localBarrier();
        for (int stride = segment / 2; stride > 0; stride /= 2) {
            if (lane < stride) {
                partial[tid] = TornadoMath.max(partial[tid], partial[tid + stride]);
            }
            ctx.localBarrier();
        }
        return partial[tid - lane];
    }
}
