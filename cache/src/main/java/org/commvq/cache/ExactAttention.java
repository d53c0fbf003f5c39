package org.commvq.cache;

/**
 * Causal softmax attention for one query head over keys that a cache exposes one token at a time. Every cache's
 * full-precision part (a whole fp cache, or a compressed cache's tail) scores through this class, so there is one
 * softmax in the project: max-subtracted, in float, over all regions at once.
 */
public final class ExactAttention {
    private ExactAttention() {
    }

    /** Where a token's score and value come from. */
    public interface Tokens {
        /** q·k_t for post-RoPE key t of kvHead, not yet scaled. */
        float dot(int t, int kvHead, float[] q, int qOff);

        /** out[outOff..+headDim) += w · v_t(kvHead). */
        void addValue(int t, int kvHead, float w, float[] out, int outOff);
    }

    /**
     * Softmax over logits[0..len) in place (max-subtracted); returns nothing, leaves probabilities.
     * A row whose logits are all -Infinity cannot happen: every query sees at least itself.
     */
    public static void softmax(float[] logits, int len) {
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < len; t++) {
            max = Math.max(max, logits[t]);
        }
        float sum = 0;
        for (int t = 0; t < len; t++) {
            float e = (float) Math.exp(logits[t] - max);
            logits[t] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int t = 0; t < len; t++) {
            logits[t] *= inv;
        }
    }

    /**
     * Attention of one query head over tokens 0..len-1: out[outOff..+headDim) = Σ softmax(q·k/√d)_t · v_t.
     * {@code scratch} must hold len floats.
     */
    public static void attend(Tokens tokens, int len, int kvHead, float[] q, int qOff, int headDim,
                              float[] scratch, float[] out, int outOff) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        for (int t = 0; t < len; t++) {
            scratch[t] = tokens.dot(t, kvHead, q, qOff) * scale;
        }
        softmax(scratch, len);
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int t = 0; t < len; t++) {
            tokens.addValue(t, kvHead, scratch[t], out, outOff);
        }
    }
}
