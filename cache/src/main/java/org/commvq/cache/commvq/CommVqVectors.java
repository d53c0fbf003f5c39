package org.commvq.cache.commvq;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.commvq.cache.Workers;

/**
 * Float-array kernels on the Vector API shared by the CommVQ encoders and attention. The encoder kernels never
 * reduce across lanes: every output is one lane of a sequential fused-multiply-add chain, so a result does not depend
 * on whether the JIT has compiled the code yet, on the batch a token was encoded in, or on the thread count.
 */
final class CommVqVectors {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    private CommVqVectors() {
    }

    /** a·b over n floats, for attention scores (lane order may vary; not used where codes are chosen). */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            acc = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /** y[yOff..+n) += alpha·x[xOff..+n). */
    static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(SPECIES, alpha);
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xOff + i).fma(va, FloatVector.fromArray(SPECIES, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(x[xOff + i], alpha, y[yOff + i]);
        }
    }

    /** y[yOff..+n) += x[xOff..+n). */
    static void add(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xOff + i).add(FloatVector.fromArray(SPECIES, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = x[xOff + i] + y[yOff + i];
        }
    }

    /**
     * Softmax of row[off..off+len) in place, max-subtracted, with a vectorized exp: at 64K cached tokens and 32
     * heads a decode step takes two million exponentials per layer, too many for scalar Math.exp.
     */
    static void softmax(float[] row, int off, int len) {
        int bound = SPECIES.loopBound(len);
        FloatVector vmax = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < bound; i += LANES) {
            vmax = vmax.max(FloatVector.fromArray(SPECIES, row, off + i));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; i < len; i++) {
            max = Math.max(max, row[off + i]);
        }
        FloatVector vm = FloatVector.broadcast(SPECIES, max);
        FloatVector vsum = FloatVector.zero(SPECIES);
        for (i = 0; i < bound; i += LANES) {
            FloatVector e = FloatVector.fromArray(SPECIES, row, off + i).sub(vm).lanewise(VectorOperators.EXP);
            e.intoArray(row, off + i);
            vsum = vsum.add(e);
        }
        float sum = vsum.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            float e = (float) Math.exp(row[off + i] - max);
            row[off + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        FloatVector vinv = FloatVector.broadcast(SPECIES, inv);
        for (i = 0; i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, row, off + i).mul(vinv).intoArray(row, off + i);
        }
        for (; i < len; i++) {
            row[off + i] *= inv;
        }
    }

    /**
     * y[t][o] = bias[o] + Σ_k x[t][k]·wT[k][o] for {@code tokens} rows of x ([tokens][in]) and a transposed weight
     * wT ([in][out]). Outer-product form: each output lane accumulates over k in order, and the work is split over
     * output columns, so every y element is computed by the same operation sequence whatever the batch or threads.
     */
    static void linear(float[] x, int tokens, int in, float[] wT, float[] bias, int out, float[] y) {
        int tile = 4 * LANES;
        int tiles = (out + tile - 1) / tile;
        Workers.parallelFor(tiles, 1, ti -> {
            int o0 = ti * tile;
            int o1 = Math.min(out, o0 + tile);
            int t = 0;
            for (; t + 4 <= tokens; t += 4) {
                linearTile4(x, t, in, wT, bias, out, y, o0, o1);
            }
            for (; t < tokens; t++) {
                linearTile1(x, t, in, wT, bias, out, y, o0, o1);
            }
        });
    }

    private static void linearTile4(float[] x, int t, int in, float[] wT, float[] bias, int out, float[] y,
                                    int o0, int o1) {
        int o = o0;
        int x0 = t * in;
        if (o + 4 * LANES <= o1) {
            FloatVector c0 = FloatVector.fromArray(SPECIES, bias, o);
            FloatVector c1 = FloatVector.fromArray(SPECIES, bias, o + LANES);
            FloatVector c2 = FloatVector.fromArray(SPECIES, bias, o + 2 * LANES);
            FloatVector c3 = FloatVector.fromArray(SPECIES, bias, o + 3 * LANES);
            FloatVector a00 = c0, a01 = c1, a02 = c2, a03 = c3;
            FloatVector a10 = c0, a11 = c1, a12 = c2, a13 = c3;
            FloatVector a20 = c0, a21 = c1, a22 = c2, a23 = c3;
            FloatVector a30 = c0, a31 = c1, a32 = c2, a33 = c3;
            for (int k = 0; k < in; k++) {
                int wk = k * out + o;
                FloatVector w0 = FloatVector.fromArray(SPECIES, wT, wk);
                FloatVector w1 = FloatVector.fromArray(SPECIES, wT, wk + LANES);
                FloatVector w2 = FloatVector.fromArray(SPECIES, wT, wk + 2 * LANES);
                FloatVector w3 = FloatVector.fromArray(SPECIES, wT, wk + 3 * LANES);
                FloatVector b0 = FloatVector.broadcast(SPECIES, x[x0 + k]);
                a00 = w0.fma(b0, a00);
                a01 = w1.fma(b0, a01);
                a02 = w2.fma(b0, a02);
                a03 = w3.fma(b0, a03);
                FloatVector b1 = FloatVector.broadcast(SPECIES, x[x0 + in + k]);
                a10 = w0.fma(b1, a10);
                a11 = w1.fma(b1, a11);
                a12 = w2.fma(b1, a12);
                a13 = w3.fma(b1, a13);
                FloatVector b2 = FloatVector.broadcast(SPECIES, x[x0 + 2 * in + k]);
                a20 = w0.fma(b2, a20);
                a21 = w1.fma(b2, a21);
                a22 = w2.fma(b2, a22);
                a23 = w3.fma(b2, a23);
                FloatVector b3 = FloatVector.broadcast(SPECIES, x[x0 + 3 * in + k]);
                a30 = w0.fma(b3, a30);
                a31 = w1.fma(b3, a31);
                a32 = w2.fma(b3, a32);
                a33 = w3.fma(b3, a33);
            }
            int y0 = t * out + o;
            a00.intoArray(y, y0);
            a01.intoArray(y, y0 + LANES);
            a02.intoArray(y, y0 + 2 * LANES);
            a03.intoArray(y, y0 + 3 * LANES);
            a10.intoArray(y, y0 + out);
            a11.intoArray(y, y0 + out + LANES);
            a12.intoArray(y, y0 + out + 2 * LANES);
            a13.intoArray(y, y0 + out + 3 * LANES);
            a20.intoArray(y, y0 + 2 * out);
            a21.intoArray(y, y0 + 2 * out + LANES);
            a22.intoArray(y, y0 + 2 * out + 2 * LANES);
            a23.intoArray(y, y0 + 2 * out + 3 * LANES);
            a30.intoArray(y, y0 + 3 * out);
            a31.intoArray(y, y0 + 3 * out + LANES);
            a32.intoArray(y, y0 + 3 * out + 2 * LANES);
            a33.intoArray(y, y0 + 3 * out + 3 * LANES);
            return;
        }
        for (int tt = t; tt < t + 4; tt++) {
            linearTile1(x, tt, in, wT, bias, out, y, o0, o1);
        }
    }

    private static void linearTile1(float[] x, int t, int in, float[] wT, float[] bias, int out, float[] y,
                                    int o0, int o1) {
        int o = o0;
        for (; o + LANES <= o1; o += LANES) {
            FloatVector a = FloatVector.fromArray(SPECIES, bias, o);
            int x0 = t * in;
            for (int k = 0; k < in; k++) {
                a = FloatVector.fromArray(SPECIES, wT, k * out + o).fma(FloatVector.broadcast(SPECIES, x[x0 + k]), a);
            }
            a.intoArray(y, t * out + o);
        }
        linearScalarColumns(x, t, in, wT, bias, out, y, o, o1);
    }

    private static void linearScalarColumns(float[] x, int t, int in, float[] wT, float[] bias, int out, float[] y,
                                            int o0, int o1) {
        for (int o = o0; o < o1; o++) {
            float a = bias[o];
            for (int k = 0; k < in; k++) {
                a = Math.fma(wT[k * out + o], x[t * in + k], a);
            }
            y[t * out + o] = a;
        }
    }
}
