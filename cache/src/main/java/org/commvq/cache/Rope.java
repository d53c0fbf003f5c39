package org.commvq.cache;

/**
 * Rotary position embedding on vectors in the interleaved pair layout: pair p of a head is (v[2p], v[2p+1]).
 * GGUF llama weights produce this layout; Hugging Face weights are permuted into it at load time.
 * Angles are computed in double precision so positions near 128K keep full accuracy.
 */
public final class Rope {
    private final int headDim;
    private final double[] omega;

    public Rope(RopeParameters parameters, int headDim) {
        this.headDim = headDim;
        this.omega = parameters.frequencies(headDim);
    }

    public int headDim() {
        return headDim;
    }

    public double omega(int pair) {
        return omega[pair];
    }

    /** cos and sin of every pair's angle at position pos, written to cos[0..P) and sin[0..P). */
    public void angles(long pos, float[] cos, float[] sin) {
        for (int p = 0; p < omega.length; p++) {
            double a = pos * omega[p];
            cos[p] = (float) Math.cos(a);
            sin[p] = (float) Math.sin(a);
        }
    }

    /** Rotates every head of {@code v[off .. off + heads*headDim)} to position pos, in place. */
    public void rotate(float[] v, int off, int heads, long pos) {
        int pairs = headDim / 2;
        float[] cos = new float[pairs];
        float[] sin = new float[pairs];
        angles(pos, cos, sin);
        rotate(v, off, heads, cos, sin);
    }

    /** Rotates with precomputed angles (see {@link #angles}). */
    public void rotate(float[] v, int off, int heads, float[] cos, float[] sin) {
        int pairs = headDim / 2;
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int p = 0; p < pairs; p++) {
                float x = v[base + 2 * p];
                float y = v[base + 2 * p + 1];
                v[base + 2 * p] = x * cos[p] - y * sin[p];
                v[base + 2 * p + 1] = x * sin[p] + y * cos[p];
            }
        }
    }
}
