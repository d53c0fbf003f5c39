package org.commvq.cache.vqkv;

import org.commvq.cache.Rope;

/**
 * RoPE for a tile of consecutive positions. Decoded keys are pre-RoPE and every attention call rotates all of them;
 * two trigonometric calls per pair and token would cost more than the dot products, so the angles of a tile come
 * from one exact angle at its first position and a rotation by ω_p per step, in double precision.
 */
final class PositionRotation {
    private final int headDim;
    private final int pairs;
    private final double[] omega;
    private final double[] stepCos;
    private final double[] stepSin;
    private final float[] cos;
    private final float[] sin;

    PositionRotation(Rope rope, int tile) {
        this.headDim = rope.headDim();
        this.pairs = headDim / 2;
        this.omega = new double[pairs];
        this.stepCos = new double[pairs];
        this.stepSin = new double[pairs];
        for (int p = 0; p < pairs; p++) {
            omega[p] = rope.omega(p);
            stepCos[p] = Math.cos(omega[p]);
            stepSin[p] = Math.sin(omega[p]);
        }
        this.cos = new float[tile * pairs];
        this.sin = new float[tile * pairs];
    }

    /** Rotates rows [0, count) of x, each one head wide, to positions from, from+1, .... */
    void rotate(float[] x, long from, int count) {
        for (int p = 0; p < pairs; p++) {
            double angle = from * omega[p];
            double c = Math.cos(angle);
            double s = Math.sin(angle);
            for (int j = 0; j < count; j++) {
                cos[j * pairs + p] = (float) c;
                sin[j * pairs + p] = (float) s;
                double next = c * stepCos[p] - s * stepSin[p];
                s = s * stepCos[p] + c * stepSin[p];
                c = next;
            }
        }
        for (int j = 0; j < count; j++) {
            int row = j * headDim;
            for (int p = 0; p < pairs; p++) {
                float a = x[row + 2 * p];
                float b = x[row + 2 * p + 1];
                float cj = cos[j * pairs + p];
                float sj = sin[j * pairs + p];
                x[row + 2 * p] = a * cj - b * sj;
                x[row + 2 * p + 1] = a * sj + b * cj;
            }
        }
    }
}
