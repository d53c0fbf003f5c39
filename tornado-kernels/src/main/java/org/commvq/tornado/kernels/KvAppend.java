package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.HalfFloat;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Writes one token's key and value rows into a layer's device cache {@code [capacity][kvDim]} at position[0].
 * Keys arrive already rotated (post-RoPE), as the dense CPU caches store them.
 * Launch: one thread per element of kvDim, global rounded up to the group size.
 */
public final class KvAppend {
    private KvAppend() {
    }

    public static void f32(KernelContext ctx, FloatArray keys, FloatArray values, FloatArray k, FloatArray v,
                           IntArray position, int kvDim) {
        int i = ctx.globalIdx;
        if (i < kvDim) {
            int at = position.get(0) * kvDim + i;
            keys.set(at, k.get(i));
            values.set(at, v.get(i));
        }
    }

    public static void f16(KernelContext ctx, HalfFloatArray keys, HalfFloatArray values, FloatArray k, FloatArray v,
                           IntArray position, int kvDim) {
        int i = ctx.globalIdx;
        if (i < kvDim) {
            int at = position.get(0) * kvDim + i;
            keys.set(at, new HalfFloat(k.get(i)));
            values.set(at, new HalfFloat(v.get(i)));
        }
    }
}
