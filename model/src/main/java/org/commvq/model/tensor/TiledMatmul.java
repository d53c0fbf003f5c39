package org.commvq.model.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.commvq.cache.Workers;

/**
 * Batched products for prefill, out[i][r] = W[r]·x[i], for any weight type. Four rows at a time are decoded into a
 * float tile, and a 4 × 4 register-blocked kernel multiplies the tile with four inputs at once: every weight vector
 * loaded feeds four inputs and every input vector four rows, so the loop is bound by FMAs instead of loads, and each
 * row is decoded once for all n inputs instead of once per input.
 */
final class TiledMatmul {
    private static final VectorSpecies<Float> F = KernelSpecies.FLOAT;
    private static final int TILE = 4;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private TiledMatmul() {
    }

    static void matmul(WeightMatrix m, float[] x, int n, float[] out) {
        if (n == 1) {
            m.matvec(x, out);
            return;
        }
        int rows = m.rows();
        int cols = m.cols();
        Workers.parallelFor((rows + TILE - 1) / TILE, 1, tile -> {
            int r0 = tile * TILE;
            int height = Math.min(TILE, rows - r0);
            float[] w = scratch(TILE * cols);
            for (int k = 0; k < height; k++) {
                m.row(r0 + k, w, k * cols);
            }
            int i = 0;
            if (height == TILE) {
                for (; i + TILE <= n; i += TILE) {
                    kernel4x4(w, cols, x, i, out, rows, r0);
                }
            }
            for (; i < n; i++) {
                for (int k = 0; k < height; k++) {
                    out[i * rows + r0 + k] = VectorMath.dot(w, k * cols, x, i * cols, cols);
                }
            }
        });
    }

    private static float[] scratch(int size) {
        float[] w = SCRATCH.get();
        if (w.length < size) {
            w = new float[size];
            SCRATCH.set(w);
        }
        return w;
    }

    /** Rows r0..r0+3 (the tile w) times inputs i0..i3, with sixteen accumulators held in registers. */
    private static void kernel4x4(float[] w, int cols, float[] x, int i0, float[] out, int rows, int r0) {
        int w1 = cols;
        int w2 = 2 * cols;
        int w3 = 3 * cols;
        int x0 = i0 * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a13 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = FloatVector.zero(F);
        FloatVector a22 = FloatVector.zero(F);
        FloatVector a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = FloatVector.zero(F);
        FloatVector a32 = FloatVector.zero(F);
        FloatVector a33 = FloatVector.zero(F);
        int j = 0;
        for (int bound = F.loopBound(cols); j < bound; j += F.length()) {
            FloatVector v0 = FloatVector.fromArray(F, w, j);
            FloatVector v1 = FloatVector.fromArray(F, w, w1 + j);
            FloatVector v2 = FloatVector.fromArray(F, w, w2 + j);
            FloatVector v3 = FloatVector.fromArray(F, w, w3 + j);
            FloatVector u = FloatVector.fromArray(F, x, x0 + j);
            a00 = v0.fma(u, a00);
            a10 = v1.fma(u, a10);
            a20 = v2.fma(u, a20);
            a30 = v3.fma(u, a30);
            u = FloatVector.fromArray(F, x, x1 + j);
            a01 = v0.fma(u, a01);
            a11 = v1.fma(u, a11);
            a21 = v2.fma(u, a21);
            a31 = v3.fma(u, a31);
            u = FloatVector.fromArray(F, x, x2 + j);
            a02 = v0.fma(u, a02);
            a12 = v1.fma(u, a12);
            a22 = v2.fma(u, a22);
            a32 = v3.fma(u, a32);
            u = FloatVector.fromArray(F, x, x3 + j);
            a03 = v0.fma(u, a03);
            a13 = v1.fma(u, a13);
            a23 = v2.fma(u, a23);
            a33 = v3.fma(u, a33);
        }
        // Each accumulator is reduced where it is, as putting them in an array or passing them to a helper C2 might
        // not inline would box them; only the scalar tails of the columns go through a helper.
        int o = i0 * rows + r0;
        out[o] = a00.reduceLanes(VectorOperators.ADD) + tail(w, 0, x, x0, j, cols);
        out[o + rows] = a01.reduceLanes(VectorOperators.ADD) + tail(w, 0, x, x1, j, cols);
        out[o + 2 * rows] = a02.reduceLanes(VectorOperators.ADD) + tail(w, 0, x, x2, j, cols);
        out[o + 3 * rows] = a03.reduceLanes(VectorOperators.ADD) + tail(w, 0, x, x3, j, cols);
        out[o + 1] = a10.reduceLanes(VectorOperators.ADD) + tail(w, w1, x, x0, j, cols);
        out[o + 1 + rows] = a11.reduceLanes(VectorOperators.ADD) + tail(w, w1, x, x1, j, cols);
        out[o + 1 + 2 * rows] = a12.reduceLanes(VectorOperators.ADD) + tail(w, w1, x, x2, j, cols);
        out[o + 1 + 3 * rows] = a13.reduceLanes(VectorOperators.ADD) + tail(w, w1, x, x3, j, cols);
        out[o + 2] = a20.reduceLanes(VectorOperators.ADD) + tail(w, w2, x, x0, j, cols);
        out[o + 2 + rows] = a21.reduceLanes(VectorOperators.ADD) + tail(w, w2, x, x1, j, cols);
        out[o + 2 + 2 * rows] = a22.reduceLanes(VectorOperators.ADD) + tail(w, w2, x, x2, j, cols);
        out[o + 2 + 3 * rows] = a23.reduceLanes(VectorOperators.ADD) + tail(w, w2, x, x3, j, cols);
        out[o + 3] = a30.reduceLanes(VectorOperators.ADD) + tail(w, w3, x, x0, j, cols);
        out[o + 3 + rows] = a31.reduceLanes(VectorOperators.ADD) + tail(w, w3, x, x1, j, cols);
        out[o + 3 + 2 * rows] = a32.reduceLanes(VectorOperators.ADD) + tail(w, w3, x, x2, j, cols);
        out[o + 3 + 3 * rows] = a33.reduceLanes(VectorOperators.ADD) + tail(w, w3, x, x3, j, cols);
    }

    /** The products of the columns from {@code from} on, which did not fill a whole vector. */
    private static float tail(float[] w, int wOff, float[] x, int xOff, int from, int cols) {
        float s = 0;
        for (int t = from; t < cols; t++) {
            s += w[wOff + t] * x[xOff + t];
        }
        return s;
    }
}
