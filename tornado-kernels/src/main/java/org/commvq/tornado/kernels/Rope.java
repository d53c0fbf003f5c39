package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Rotary position embedding in the interleaved pair layout (pair p of a head is v[2p], v[2p+1]), the same rotation
 * as {@code org.commvq.cache.Rope}. The host computes cos/sin of the current position's angles in double precision
 * ({@code Rope.angles}) and uploads those {@code pairs} values each step, because float angles computed on the
 * device lose accuracy at long positions and a table for every position would cost memory in every layer's graph.
 * Launch: one thread per (head, pair), global rounded up to the group size.
 */
public final class Rope {
    private Rope() {
    }

    /**
     * Rotates heads × (2·pairs) values of v in place by the angles cosines[p], sines[p]. Not named rotate: that is
     * an OpenCL built-in, and a kernel of that name cannot be looked up in the built program.
     */
    public static void rotatePairs(KernelContext ctx, FloatArray v, FloatArray cosines, FloatArray sines, int heads,
                                   int pairs) {
        int i = ctx.globalIdx;
        if (i < heads * pairs) {
            int head = i / pairs;
            int pair = i - head * pairs;
            int a = head * 2 * pairs + 2 * pair;
            float c = cosines.get(pair);
            float s = sines.get(pair);
            float x = v.get(a);
            float y = v.get(a + 1);
            v.set(a, x * c - y * s);
            v.set(a + 1, x * s + y * c);
        }
    }
}
