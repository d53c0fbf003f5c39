package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Matrix-vector products for row-major weights, one work-group per row (Q8_0: 32 to 256 threads per row, see
 * {@link #q8}): its threads stride over the row together, so neighbouring threads read neighbouring weights
 * (coalesced), then sum their partials in local memory. A thread per row would walk its own row alone, which measured
 * 5× slower on the H100.
 * <p>Each layout has four kernels that differ only in which rows they take and what they do with a row's sum,
 * because every task costs the host about as much as a small kernel takes on the device: {@code out = W·x};
 * {@code acc += W·x} (the residual connection); {@code out = silu(Wgate·x) · (Wup·x)} (SwiGLU, both rows in one
 * group); and q, k, v = Wq·x, Wk·x, Wv·x as one launch over the stacked rows. The per-thread partial sums are helpers
 * that only read, which TornadoVM inlines.
 * Launch: global = rows × group size, local = group size (Q8_0: {@link #q8Groups} groups).
 */
public final class MatVec {
    /** Weights per Q8_0 scale, as in ggml. */
    public static final int Q8_BLOCK = 32;
    /** Q8_0 quants per int of the device layout. */
    public static final int Q8_PER_INT = 4;
    /** Threads a Q8_0 product aims to have in flight, and packed ints per thread ({@link #q8RowThreads}). */
    private static final int Q8_THREADS_IN_FLIGHT = 1 << 19;
    private static final int Q8_INTS_PER_THREAD = 16;
    /** log2 of the packed ints per Q8_0 block (8): a shift, where a division would also handle negative indices. */
    private static final int INTS_PER_BLOCK_SHIFT = 3;

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
     * of a row (cols is a multiple of 32). Unlike the other layouts, a row is not a whole work-group's but
     * {@code rowThreads}' ({@link #q8RowThreads}), so a group of 256 takes 4 rows of 4096 weights for gate/up: a row's
     * sum then needs fewer barrier steps, and each thread reads more of its row (on the H100 that product went from
     * 116 to 76 µs, 1.1 to 1.75 TB/s). Reading quants a byte at a time held the H100 near 550 GB/s. Scales are float
     * rather than fp16 so the kernel also compiles where half floats do not (PoCL). Launch: {@link #q8Groups} groups;
     * rows counts the rows of every matrix a task takes.
     */
    public static void q8(KernelContext ctx, FloatArray out, IntArray quants, FloatArray scales, FloatArray x,
                          int cols, int rows, int rowThreads) {
        int row = q8Row(ctx, rowThreads);
        float partial = row < rows ? q8Partial(ctx, quants, scales, x, cols, row, rowThreads) : 0.0f;
        float total = GroupReduce.segmentSum(ctx, partial, rowThreads);
        if (row < rows && (ctx.localIdx & (rowThreads - 1)) == 0) {
            out.set(row, total);
        }
    }

    public static void q8Add(KernelContext ctx, FloatArray acc, IntArray quants, FloatArray scales, FloatArray x,
                             int cols, int rows, int rowThreads) {
        int row = q8Row(ctx, rowThreads);
        float partial = row < rows ? q8Partial(ctx, quants, scales, x, cols, row, rowThreads) : 0.0f;
        float total = GroupReduce.segmentSum(ctx, partial, rowThreads);
        if (row < rows && (ctx.localIdx & (rowThreads - 1)) == 0) {
            acc.set(row, acc.get(row) + total);
        }
    }

    /** The gate and up rows in one loop, so each x value is loaded once for both. */
    public static void q8GateUp(KernelContext ctx, FloatArray out, IntArray gateQuants, FloatArray gateScales,
                                IntArray upQuants, FloatArray upScales, FloatArray x, int cols, int rows,
                                int rowThreads) {
        int row = q8Row(ctx, rowThreads);
        int words = cols / Q8_PER_INT;
        int base = row * words;
        int scaleBase = row * (cols / Q8_BLOCK);
        float g = 0.0f;
        float u = 0.0f;
        if (row < rows) {
            for (int i = (ctx.localIdx & (rowThreads - 1)); i < words; i += rowThreads) {
                int j = i * Q8_PER_INT;
                float x0 = x.get(j);
                float x1 = x.get(j + 1);
                float x2 = x.get(j + 2);
                float x3 = x.get(j + 3);
                int scale = scaleBase + (i >> INTS_PER_BLOCK_SHIFT);
                g += dot4(gateQuants.get(base + i), x0, x1, x2, x3) * gateScales.get(scale);
                u += dot4(upQuants.get(base + i), x0, x1, x2, x3) * upScales.get(scale);
            }
        }
        float gate = GroupReduce.segmentSum(ctx, g, rowThreads);
        float up = GroupReduce.segmentSum(ctx, u, rowThreads);
        if (row < rows && (ctx.localIdx & (rowThreads - 1)) == 0) {
            out.set(row, silu(gate) * up);
        }
    }

    public static void q8Qkv(KernelContext ctx, FloatArray q, FloatArray k, FloatArray v, IntArray wqQuants,
                             FloatArray wqScales, IntArray wkQuants, FloatArray wkScales, IntArray wvQuants,
                             FloatArray wvScales, FloatArray x, int cols, int qRows, int kvRows, int rowThreads) {
        int g = q8Row(ctx, rowThreads);
        int which = g < qRows ? 0 : g < qRows + kvRows ? 1 : g < qRows + 2 * kvRows ? 2 : 3;
        int row = which == 0 ? g : which == 1 ? g - qRows : g - qRows - kvRows;
        float partial = 0.0f;
        if (which == 0) {
            partial = q8Partial(ctx, wqQuants, wqScales, x, cols, row, rowThreads);
        }
        if (which == 1) {
            partial = q8Partial(ctx, wkQuants, wkScales, x, cols, row, rowThreads);
        }
        if (which == 2) {
            partial = q8Partial(ctx, wvQuants, wvScales, x, cols, row, rowThreads);
        }
        float total = GroupReduce.segmentSum(ctx, partial, rowThreads);
        boolean leads = (ctx.localIdx & (rowThreads - 1)) == 0;
        if (leads && which == 0) {
            q.set(row, total);
        }
        if (leads && which == 1) {
            k.set(row, total);
        }
        if (leads && which == 2) {
            v.set(row, total);
        }
    }

    /**
     * Threads per row of a Q8_0 product: enough rows × threads to fill a large GPU (2^19 threads in flight), and at
     * most about 16 packed ints per thread, rounded up to a power of two from 32 to the work-group size. On the H100
     * this picked the fastest of 32 to 256 for each of the 8B model's shapes: gate/up (14336 rows of 4096) 64 threads,
     * 75.6 µs; wo (4096 of 4096) 128, 22.4 µs; down (4096 of 14336) 256, 52.6 µs.
     */
    public static int q8RowThreads(int rows, int cols, int groupSize) {
        int wanted = Math.max(Math.ceilDiv(Q8_THREADS_IN_FLIGHT, rows),
                Math.ceilDiv(cols / Q8_PER_INT, Q8_INTS_PER_THREAD));
        int threads = 32;
        while (threads < wanted && threads < groupSize) {
            threads *= 2;
        }
        return Math.min(threads, groupSize);
    }

    /** Work-groups of a Q8_0 product over rows rows. */
    public static int q8Groups(int rows, int rowThreads, int groupSize) {
        return Math.ceilDiv(rows, groupSize / rowThreads);
    }

    private static int q8Row(KernelContext ctx, int rowThreads) {
        return ctx.groupIdx * (ctx.localGroupSizeX / rowThreads) + ctx.localIdx / rowThreads;
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
                                   int row, int rowThreads) {
        int words = cols / Q8_PER_INT;
        int base = row * words;
        int scaleBase = row * (cols / Q8_BLOCK);
        float partial = 0.0f;
        for (int i = (ctx.localIdx & (rowThreads - 1)); i < words; i += rowThreads) {
            int j = i * Q8_PER_INT;
            partial += dot4(quants.get(base + i), x.get(j), x.get(j + 1), x.get(j + 2), x.get(j + 3))
                    * scales.get(scaleBase + (i >> INTS_PER_BLOCK_SHIFT));
        }
        return partial;
    }

    /** The four quants of a packed int times four x values. */
    private static float dot4(int packed, float x0, float x1, float x2, float x3) {
        return signedByte(packed) * x0 + signedByte(packed >> 8) * x1 + signedByte(packed >> 16) * x2
                + signedByte(packed >> 24) * x3;
    }
}
