package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** RMSNorm for one token. Launch: a single work-group (global = local = group size). */
public final class Norms {
    private Norms() {
    }

    /** out = x / sqrt(mean(x²) + eps) ⊙ weight, over n elements. out may be x. */
    public static void rmsNorm(KernelContext ctx, FloatArray out, FloatArray x, FloatArray weight, int n, float eps) {
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        float squares = 0.0f;
        for (int i = tid; i < n; i += size) {
            float v = x.get(i);
            squares += v * v;
        }
        float total = GroupReduce.sum(ctx, squares);
        float inv = 1.0f / TornadoMath.sqrt(total / n + eps);
        for (int i = tid; i < n; i += size) {
            out.set(i, weight.get(i) * (x.get(i) * inv));
        }
    }
}
