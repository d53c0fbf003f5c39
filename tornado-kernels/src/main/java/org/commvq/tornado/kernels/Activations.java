package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Element-wise pieces of the block. Launch: one thread per element, global rounded up to the group size. */
public final class Activations {
    private Activations() {
    }

    /** gate[i] = silu(gate[i]) · up[i], in place like the CPU forward pass. */
    public static void swiGlu(KernelContext ctx, FloatArray gate, FloatArray up, int n) {
        int i = ctx.globalIdx;
        if (i < n) {
            float g = gate.get(i);
            gate.set(i, g / (1.0f + TornadoMath.exp(-g)) * up.get(i));
        }
    }

    /** x[i] += y[i]: the residual connection. */
    public static void add(KernelContext ctx, FloatArray x, FloatArray y, int n) {
        int i = ctx.globalIdx;
        if (i < n) {
            x.set(i, x.get(i) + y.get(i));
        }
    }
}
