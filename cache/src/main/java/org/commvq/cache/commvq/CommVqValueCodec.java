package org.commvq.cache.commvq;

import java.util.Arrays;
import org.commvq.cache.Workers;

/**
 * One layer's CommVQ value compressor (spec §1.5): a token's whole value vector v (all KV heads) becomes F·bits bits
 * and one scale.
 * <pre>
 *   u = v/(λ+eps);  p = ‖u‖;  u = u/(p+eps)
 *   logits = out(GELU(enc1(LayerNorm(u))))  as [n_e][4];  k_j = argmax (first maximum; no Gumbel noise, §3.1)
 *   bits (2j, 2j+1) = category map of k_j;   y = bits·E;   σ = (p+eps)/(‖y‖+eps)
 *   decode: v̂ = σ·(bits·E) ⊙ (λ+eps)
 * </pre>
 * The two Linear layers keep their weights transposed ([in][out]) for the outer-product kernel; the official
 * [out][in] arrays are rebuilt by {@link #parameters()}.
 */
public final class CommVqValueCodec {
    public static final float EPS = 1e-6f;
    private static final float LAYER_NORM_EPS = 1e-5f;

    private final int featureDim;
    private final int codeBits;
    private final int hiddenDim;
    private final float[] embedding;
    private final float[] normWeight;
    private final float[] normBias;
    private final float[] enc1T;
    private final float[] enc1Bias;
    private final float[] outT;
    private final float[] outBias;
    private final float[] scale;
    private final float[] scalePlusEps;

    public CommVqValueCodec(CommVqValueParameters parameters) {
        this.featureDim = parameters.featureDim();
        this.codeBits = parameters.codeBits();
        this.hiddenDim = parameters.hiddenDim();
        this.embedding = parameters.embedding();
        this.normWeight = parameters.normWeight();
        this.normBias = parameters.normBias();
        this.enc1T = transpose(parameters.enc1Weight(), hiddenDim, featureDim);
        this.enc1Bias = parameters.enc1Bias();
        this.outT = transpose(parameters.outWeight(), 2 * codeBits, hiddenDim);
        this.outBias = parameters.outBias();
        this.scale = parameters.scale();
        this.scalePlusEps = new float[featureDim];
        for (int i = 0; i < featureDim; i++) {
            scalePlusEps[i] = scale[i] + EPS;
        }
    }

    /** The parameters in the official layout (fresh [out][in] weight arrays). */
    public CommVqValueParameters parameters() {
        return new CommVqValueParameters(embedding, normWeight, normBias, transpose(enc1T, featureDim, hiddenDim),
                enc1Bias, transpose(outT, hiddenDim, 2 * codeBits), outBias, scale);
    }

    public int featureDim() {
        return featureDim;
    }

    /** F·bits. */
    public int codeBits() {
        return codeBits;
    }

    public int bits() {
        return codeBits / featureDim;
    }

    /** Bytes of one token's packed bits. */
    public int packedBytes() {
        return codeBits / 8;
    }

    /** Bytes of the codebook E (fp32), what attention reads. */
    public long codebookBytes() {
        return 4L * embedding.length;
    }

    /** Bytes of the encoder network and λ (fp32), only needed to compress. */
    public long encoderBytes() {
        return 4L * (normWeight.length + normBias.length + enc1T.length + enc1Bias.length + outT.length
                + outBias.length + scale.length);
    }

    /** E, [codeBits][F]. */
    float[] embedding() {
        return embedding;
    }

    /** λ + eps, [F]. */
    float[] scalePlusEps() {
        return scalePlusEps;
    }

    /** Copies for a device that encodes and attends in its own memory: E [codeBits][F], λ+eps [F]. */
    public float[] embeddingCopy() {
        return embedding.clone();
    }

    public float[] scalePlusEpsCopy() {
        return scalePlusEps.clone();
    }

    /** The first Linear's weights transposed, [F][hidden], and the second's, [hidden][2·codeBits]. */
    public float[] enc1TransposedCopy() {
        return enc1T.clone();
    }

    public float[] outTransposedCopy() {
        return outT.clone();
    }

    public int hiddenDim() {
        return hiddenDim;
    }

    /**
     * Encodes {@code tokens} value vectors values[valuesOff + t·F ..]: packed bits to packed[packedOff + t·F·bits/8 ..],
     * σ to sigma[sigmaOff + t] and, when {@code prescale} is not null, p to prescale[t].
     */
    public void encode(float[] values, int valuesOff, int tokens, byte[] packed, int packedOff, float[] sigma,
                       int sigmaOff, float[] prescale) {
        float[] x = new float[tokens * featureDim];
        float[] p = new float[tokens];
        Workers.parallelFor(tokens, 1, t -> p[t] = normalize(values, valuesOff + t * featureDim, x, t * featureDim));
        float[] hidden = new float[tokens * hiddenDim];
        CommVqVectors.linear(x, tokens, featureDim, enc1T, enc1Bias, hiddenDim, hidden);
        Workers.parallelFor(tokens, 1, t -> {
            for (int i = t * hiddenDim; i < (t + 1) * hiddenDim; i++) {
                hidden[i] = CommVqGelu.gelu(hidden[i]);
            }
        });
        int logitWidth = 2 * codeBits;
        float[] logits = new float[tokens * logitWidth];
        CommVqVectors.linear(hidden, tokens, hiddenDim, outT, outBias, logitWidth, logits);
        int bytes = packedBytes();
        Workers.parallelFor(tokens, 1, t -> {
            int dst = packedOff + t * bytes;
            quantize(logits, t * logitWidth, packed, dst);
            float[] y = new float[featureDim];
            sumRows(packed, dst, y);
            double sq = 0;
            for (float v : y) {
                sq += (double) v * v;
            }
            sigma[sigmaOff + t] = (p[t] + EPS) / ((float) Math.sqrt(sq) + EPS);
            if (prescale != null) {
                prescale[t] = p[t];
            }
        });
    }

    /** out[outOff..+F) = σ·(bits·E) ⊙ (λ+eps). */
    public void decode(byte[] packed, int off, float sigma, float[] out, int outOff) {
        float[] y = new float[featureDim];
        sumRows(packed, off, y);
        for (int i = 0; i < featureDim; i++) {
            out[outOff + i] = sigma * y[i] * scalePlusEps[i];
        }
    }

    /** y += Σ_{j: bit j set} E[j]. */
    private void sumRows(byte[] packed, int off, float[] y) {
        for (int j = 0; j < codeBits; j++) {
            if (CommVqPacking.bit(packed, off, j)) {
                CommVqVectors.add(embedding, j * featureDim, y, 0, featureDim);
            }
        }
    }

    /** Writes the LayerNorm input-and-output of one token to x[xOff..+F); returns p. */
    private float normalize(float[] values, int off, float[] x, int xOff) {
        double sq = 0;
        for (int i = 0; i < featureDim; i++) {
            float u = values[off + i] / scalePlusEps[i];
            x[xOff + i] = u;
            sq += (double) u * u;
        }
        float p = (float) Math.sqrt(sq);
        float divisor = p + EPS;
        double mean = 0;
        for (int i = 0; i < featureDim; i++) {
            x[xOff + i] /= divisor;
            mean += x[xOff + i];
        }
        mean /= featureDim;
        double var = 0;
        for (int i = 0; i < featureDim; i++) {
            double c = x[xOff + i] - mean;
            var += c * c;
        }
        var /= featureDim;
        float rstd = (float) (1.0 / Math.sqrt(var + LAYER_NORM_EPS));
        float m = (float) mean;
        for (int i = 0; i < featureDim; i++) {
            x[xOff + i] = (x[xOff + i] - m) * rstd * normWeight[i] + normBias[i];
        }
        return p;
    }

    private void quantize(float[] logits, int off, byte[] packed, int dst) {
        Arrays.fill(packed, dst, dst + packedBytes(), (byte) 0);
        for (int g = 0; g < codeBits / 2; g++) {
            int base = off + 4 * g;
            int best = 0;
            for (int k = 1; k < 4; k++) {
                if (logits[base + k] > logits[base + best]) {
                    best = k;
                }
            }
            int pair = CommVqPacking.categoryBits(best);
            int j = 2 * g;
            packed[dst + (j >>> 3)] |= (byte) (pair << (j & 7));
        }
    }

    private static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }
}
