package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Matrix-vector products for row-major weights, one work-group per row: its threads stride over the row together, so
 * neighbouring threads read neighbouring weights (coalesced), then sum their partials in local memory. A thread per
 * row would walk its own row alone, which measured 5× slower on the H100.
 * <p>Each layout has four kernels that differ only in which rows they take and what they do with a row's sum,
 * because every task costs the host about as much as a small kernel takes on the device: {@code out = W·x};
 * {@code acc += W·x} (the residual connection); {@code out = silu(Wgate·x) · (Wup·x)} (SwiGLU, both rows in one
 * group); and q, k, v = Wq·x, Wk·x, Wv·x as one launch over the stacked rows. The per-thread partial sums are helpers
 * that only read, which TornadoVM inlines.
 * Launch: global = rows × group size, local = group size.
 */
public final class MatVec {
    /** Weights per Q8_0 scale, as in ggml. */
    public static final int Q8_BLOCK = 32;
    /** Q8_0 quants per int of the device layout. */
    public static final int Q8_PER_INT = 4;

    private MatVec() {
    }

    public static void f32(KernelContext ctx, FloatArray out, FloatArray w, FloatArray x, int cols) {
        float total = GroupReduce.sum(ctx, f32Partial(ctx, w, x, cols, ctx.groupIdx));
        if (ctx.localIdx == 0) {
            out.set(ctx.groupIdx, total);
        }
    }

    public static void f32Add(KernelContext ctx, FloatArray acc, FloatArray w, FloatArray x, int cols) {
        float total = GroupReduce.sum(ctx, f32Partial(ctx, w, x, cols, ctx.groupIdx));
        if (ctx.localIdx == 0) {
            acc.set(ctx.groupIdx, acc.get(ctx.groupIdx) + total);
        }
    }

    public static void f32GateUp(KernelContext ctx, FloatArray out, FloatArray gate, FloatArray up, FloatArray x,
                                 int cols) {
        float g = GroupReduce.sum(ctx, f32Partial(ctx, gate, x, cols, ctx.groupIdx));
        float u = GroupReduce.sum(ctx, f32Partial(ctx, up, x, cols, ctx.groupIdx));
        if (ctx.localIdx == 0) {
            out.set(ctx.groupIdx, silu(g) * u);
        }
    }

    public static void f32Qkv(KernelContext ctx, FloatArray q, FloatArray k, FloatArray v, FloatArray wq,
                              FloatArray wk, FloatArray wv, FloatArray x, int cols, int qRows, int kvRows) {
        int g = ctx.groupIdx;
        int which = g < qRows ? 0 : g < qRows + kvRows ? 1 : 2;
        int row = which == 0 ? g : which == 1 ? g - qRows : g - qRows - kvRows;
        float partial = 0.0f;
        if (which == 0) {
            partial = f32Partial(ctx, wq, x, cols, row);
        }
        if (which == 1) {
            partial = f32Partial(ctx, wk, x, cols, row);
        }
        if (which == 2) {
            partial = f32Partial(ctx, wv, x, cols, row);
        }
        float total = GroupReduce.sum(ctx, partial);
        if (ctx.localIdx == 0 && which == 0) {
            q.set(row, total);
        }
        if (ctx.localIdx == 0 && which == 1) {
            k.set(row, total);
        }
        if (ctx.localIdx == 0 && which == 2) {
            v.set(row, total);
        }
    }

    public static void f16(KernelContext ctx, FloatArray out, HalfFloatArray w, FloatArray x, int cols) {
        float total = GroupReduce.sum(ctx, f16Partial(ctx, w, x, cols, ctx.groupIdx));
        if (ctx.localIdx == 0) {
            out.set(ctx.groupIdx, total);
        }
    }

    public static void f16Add(KernelContext ctx, FloatArray acc, HalfFloatArray w, FloatArray x, int cols) {
        float total = GroupReduce.sum(ctx, f16Partial(ctx, w, x, cols, ctx.groupIdx));
        if (ctx.localIdx == 0) {
            acc.set(ctx.groupIdx, acc.get(ctx.groupIdx) + total);
        }
    }

    public static void f16GateUp(KernelContext ctx, FloatArray out, HalfFloatArray gate, HalfFloatArray up,
                                 FloatArray x, int cols) {
        float g = GroupReduce.sum(ctx, f16Partial(ctx, gate, x, cols, ctx.groupIdx));
        float u = GroupReduce.sum(ctx, f16Partial(ctx, up, x, cols, ctx.groupIdx));
        if (ctx.localIdx == 0) {
            out.set(ctx.groupIdx, silu(g) * u);
        }
    }

    public static void f16Qkv(KernelContext ctx, FloatArray q, FloatArray k, FloatArray v, HalfFloatArray wq,
                              HalfFloatArray wk, HalfFloatArray wv, FloatArray x, int cols, int qRows, int kvRows) {
        int g = ctx.groupIdx;
        int which = g < qRows ? 0 : g < qRows + kvRows ? 1 : 2;
        int row = which == 0 ? g : which == 1 ? g - qRows : g - qRows - kvRows;
        float partial = 0.0f;
        if (which == 0) {
            partial = f16Partial(ctx, wq, x, cols, row);
        }
        if (which == 1) {
            partial = f16Partial(ctx, wk, x, cols, row);
        }
        if (which == 2) {
            partial = f16Partial(ctx, wv, x, cols, row);
        }
        float total = GroupReduce.sum(ctx, partial);
        if (ctx.localIdx == 0 && which == 0) {
            q.set(row, total);
        }
        if (ctx.localIdx == 0 && which == 1) {
            k.set(row, total);
        }
        if (ctx.localIdx == 0 && which == 2) {
            v.set(row, total);
        }
    }

    /**
     * Q8_0 weights as int8 quants packed four to a little-endian int, plus one float scale per 32 consecutive weights
     * of a row (cols is a multiple of 32). A thread reads four quants per load: reading them a byte at a time held the
     * H100 near 550 GB/s. Scales are float rather than fp16 so the kernel also compiles where half floats do not
     * (PoCL).
     */
    public static void q8(KernelContext ctx, FloatArray out, IntArray quants, FloatArray scales, FloatArray x,
                          int cols) {
        float total = GroupReduce.sum(ctx, q8Partial(ctx, quants, scales, x, cols, ctx.groupIdx));
        if (ctx.localIdx == 0) {
            out.set(ctx.groupIdx, total);
        }
    }

    public static void q8Add(KernelContext ctx, FloatArray acc, IntArray quants, FloatArray scales, FloatArray x,
                             int cols) {
        float total = GroupReduce.sum(ctx, q8Partial(ctx, quants, scales, x, cols, ctx.groupIdx));
        if (ctx.localIdx == 0) {
            acc.set(ctx.groupIdx, acc.get(ctx.groupIdx) + total);
        }
    }

    public static void q8GateUp(KernelContext ctx, FloatArray out, IntArray gateQuants, FloatArray gateScales,
                                IntArray upQuants, FloatArray upScales, FloatArray x, int cols) {
        float g = GroupReduce.sum(ctx, q8Partial(ctx, gateQuants, gateScales, x, cols, ctx.groupIdx));
        float u = GroupReduce.sum(ctx, q8Partial(ctx, upQuants, upScales, x, cols, ctx.groupIdx));
        if (ctx.localIdx == 0) {
            out.set(ctx.groupIdx, silu(g) * u);
        }
    }

    public static void q8Qkv(KernelContext ctx, FloatArray q, FloatArray k, FloatArray v, IntArray wqQuants,
                             FloatArray wqScales, IntArray wkQuants, FloatArray wkScales, IntArray wvQuants,
                             FloatArray wvScales, FloatArray x, int cols, int qRows, int kvRows) {
        int g = ctx.groupIdx;
        int which = g < qRows ? 0 : g < qRows + kvRows ? 1 : 2;
        int row = which == 0 ? g : which == 1 ? g - qRows : g - qRows - kvRows;
        float partial = 0.0f;
        if (which == 0) {
            partial = q8Partial(ctx, wqQuants, wqScales, x, cols, row);
        }
        if (which == 1) {
            partial = q8Partial(ctx, wkQuants, wkScales, x, cols, row);
        }
        if (which == 2) {
            partial = q8Partial(ctx, wvQuants, wvScales, x, cols, row);
        }
        float total = GroupReduce.sum(ctx, partial);
        if (ctx.localIdx == 0 && which == 0) {
            q.set(row, total);
        }
        if (ctx.localIdx == 0 && which == 1) {
            k.set(row, total);
        }
        if (ctx.localIdx == 0 && which == 2) {
            v.set(row, total);
        }
    }

    /** silu(g) = g·sigmoid(g), as the CPU forward pass computes it. */
    private static float silu(float g) {
        return g / (1.0f + TornadoMath.exp(-g));
    }

    /**
     * The low byte as a signed value. Masked rather than sign-extended by a left then right shift: the PTX backend
     * compiled that pair into wrong quants on the H100, while PoCL got it right.
     */
    private static int signedByte(int word) {
        int b = word & 0xFF;
        return b - ((b & 0x80) << 1);
    }

    private static float f32Partial(KernelContext ctx, FloatArray w, FloatArray x, int cols, int row) {
        int base = row * cols;
        float partial = 0.0f;
        for (int j = ctx.localIdx; j < cols; j += ctx.localGroupSizeX) {
            partial += w.get(base + j) * x.get(j);
        }
        return partial;
    }

    private static float f16Partial(KernelContext ctx, HalfFloatArray w, FloatArray x, int cols, int row) {
        int base = row * cols;
        float partial = 0.0f;
        for (int j = ctx.localIdx; j < cols; j += ctx.localGroupSizeX) {
            partial += w.get(base + j).getFloat32() * x.get(j);
        }
        return partial;
    }

    private static float q8Partial(KernelContext ctx, IntArray quants, FloatArray scales, FloatArray x, int cols,
                                   int row) {
        int words = cols / Q8_PER_INT;
        int base = row * words;
        int scaleBase = row * (cols / Q8_BLOCK);
        float partial = 0.0f;
        for (int i = ctx.localIdx; i < words; i += ctx.localGroupSizeX) {
            int packed = quants.get(base + i);
            int j = i * Q8_PER_INT;
            float dot = signedByte(packed) * x.get(j) + signedByte(packed >> 8) * x.get(j + 1)
                    + signedByte(packed >> 16) * x.get(j + 2) + signedByte(packed >> 24) * x.get(j + 3);
            partial += dot * scales.get(scaleBase + j / Q8_BLOCK);
        }
        return partial;
    }
}
