package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** RMSNorm for one token. Launch: a single work-group (global = local = group size). */
public final class Norms {
    private Norms() {
    }

    /**
     * out = x / sqrt(mean(x²) + eps) ⊙ weight, over n elements. out may be x. Each thread takes four elements a
     * stride apart per pass, so four loads are in flight where one pass per element waited out each load in turn:
     * the single work-group walks all of x twice.
     */
    public static void rmsNorm(KernelContext ctx, FloatArray out, FloatArray x, FloatArray weight, int n, float eps) {
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        float squares = 0.0f;
        int i = tid;
        for (; i + 3 * size < n; i += 4 * size) {
            float v0 = x.get(i);
            float v1 = x.get(i + size);
            float v2 = x.get(i + 2 * size);
            float v3 = x.get(i + 3 * size);
            squares += v0 * v0 + v1 * v1 + v2 * v2 + v3 * v3;
        }
        for (; i < n; i += size) {
            float v = x.get(i);
            squares += v * v;
        }
        float total = GroupReduce.sum(ctx, squares);
        float inv = 1.0f / TornadoMath.sqrt(total / n + eps);
        int j = tid;
        for (; j + 3 * size < n; j += 4 * size) {
            float v0 = x.get(j);
            float v1 = x.get(j + size);
            float v2 = x.get(j + 2 * size);
            float v3 = x.get(j + 3 * size);
            float w0 = weight.get(j);
            float w1 = weight.get(j + size);
            float w2 = weight.get(j + 2 * size);
            float w3 = weight.get(j + 3 * size);
            out.set(j, w0 * (v0 * inv));
            out.set(j + size, w1 * (v1 * inv));
            out.set(j + 2 * size, w2 * (v2 * inv));
            out.set(j + 3 * size, w3 * (v3 * inv));
        }
        for (; j < n; j += size) {
            out.set(j, weight.get(j) * (x.get(j) * inv));
        }
    }
}
