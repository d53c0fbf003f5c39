package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;

/**
 * out[r] = W[r]·x for row-major weights. One work-group per row: its threads stride over the row together, so
 * neighbouring threads read neighbouring weights (coalesced), then sum their partials in local memory. A thread per
 * row would walk its own row alone, which measured 5× slower on the H100.
 * Launch: global = rows × group size, local = group size.
 */
public final class MatVec {
    /** Weights per Q8_0 scale, as in ggml. */
    public static final int Q8_BLOCK = 32;

    private MatVec() {
    }

    public static void f32(KernelContext ctx, FloatArray out, FloatArray w, FloatArray x, int cols) {
        int row = ctx.groupIdx;
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        int base = row * cols;
        float partial = 0.0f;
        for (int j = tid; j < cols; j += size) {
            partial += w.get(base + j) * x.get(j);
        }
        float total = GroupReduce.sum(ctx, partial);
        if (tid == 0) {
            out.set(row, total);
        }
    }

    public static void f16(KernelContext ctx, FloatArray out, HalfFloatArray w, FloatArray x, int cols) {
        int row = ctx.groupIdx;
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        int base = row * cols;
        float partial = 0.0f;
        for (int j = tid; j < cols; j += size) {
            partial += w.get(base + j).getFloat32() * x.get(j);
        }
        float total = GroupReduce.sum(ctx, partial);
        if (tid == 0) {
            out.set(row, total);
        }
    }

    /**
     * Q8_0 weights as int8 quants plus one float scale per 32 consecutive weights of a row (cols is a multiple of
     * 32). Scales are float rather than fp16 so the kernel also compiles where half floats do not (PoCL).
     */
    public static void q8(KernelContext ctx, FloatArray out, ByteArray quants, FloatArray scales, FloatArray x, int cols) {
        int row = ctx.groupIdx;
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        int base = row * cols;
        float partial = 0.0f;
        for (int j = tid; j < cols; j += size) {
            int i = base + j;
            partial += quants.get(i) * scales.get(i / Q8_BLOCK) * x.get(j);
        }
        float total = GroupReduce.sum(ctx, partial);
        if (tid == 0) {
            out.set(row, total);
        }
    }
}
