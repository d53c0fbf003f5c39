package org.commvq.cache.train;

import org.commvq.cache.Workers;

/**
 * AdamW (decoupled weight decay) over one flat parameter array. Every element is updated on its own, so the
 * result does not depend on how the work is split.
 */
final class Adam {
    private static final int GRAIN = 4096;

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final float[] m;
    private final float[] v;
    private int steps;

    Adam(int size, double beta1, double beta2, double eps) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.m = new float[size];
        this.v = new float[size];
    }

    /**
     * One step: params −= lr·(m̂/(√v̂ + eps)), and, for indices below {@code decayEnd}, params −= lr·decay·params.
     */
    void step(float[] params, float[] grad, double lr, double decay, int decayEnd) {
        steps++;
        double c1 = 1 - Math.pow(beta1, steps);
        double c2 = 1 - Math.pow(beta2, steps);
        int blocks = (params.length + GRAIN - 1) / GRAIN;
        Workers.parallelFor(blocks, 1, blk -> {
            int end = Math.min(params.length, (blk + 1) * GRAIN);
            for (int i = blk * GRAIN; i < end; i++) {
                double g = grad[i];
                double mi = beta1 * m[i] + (1 - beta1) * g;
                double vi = beta2 * v[i] + (1 - beta2) * g * g;
                m[i] = (float) mi;
                v[i] = (float) vi;
                double p = params[i];
                if (i < decayEnd) {
                    p -= lr * decay * p;
                }
                params[i] = (float) (p - lr * (mi / c1) / (Math.sqrt(vi / c2) + eps));
            }
        });
    }
}
