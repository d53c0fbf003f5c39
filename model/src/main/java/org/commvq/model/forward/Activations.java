package org.commvq.model.forward;

/** Element-wise pieces of the block: RMSNorm and SwiGLU, in float as Hugging Face computes them. */
public final class Activations {
    private Activations() {
    }

    /** out = x / sqrt(mean(x²) + eps) ⊙ w, for one row of width w.length. */
    public static void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] w, float eps) {
        int n = w.length;
        float ss = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            ss += v * v;
        }
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) {
            out[outOff + i] = w[i] * (x[xOff + i] * inv);
        }
    }

    /** gate[i] = silu(gate[i]) · up[i] for i in [off, off+n). */
    public static void swiGlu(float[] gate, float[] up, int off, int n) {
        for (int i = off; i < off + n; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }
}
