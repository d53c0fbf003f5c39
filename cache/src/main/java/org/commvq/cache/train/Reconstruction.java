package org.commvq.cache.train;

import java.util.Arrays;
import org.commvq.cache.commvq.CommVqKeyCodebook;
import org.commvq.cache.commvq.CommVqKeyEncoder;
import org.commvq.cache.commvq.CommVqValueCodec;

/**
 * Relative reconstruction errors Σ‖x − x̂‖² / Σ‖x‖² of a layer's keys and values, through the encoders and decoders
 * the cache itself runs, so a trainer reports what inference will see.
 */
public final class Reconstruction {
    private static final int BLOCK = 4096;
    private Reconstruction() {
    }

    /** Keys [n][F] of layer 0 of {@code book} (a one-layer codebook). */
    public static double keys(CommVqKeyCodebook book, float[] keys) {
        int heads = book.kvHeads();
        int stages = book.stages();
        int headDim = 2 * book.pairs();
        int f = heads * headDim;
        int n = keys.length / f;
        float[] norms = new float[n];
        int[] codes = new int[n * heads * stages];
        new CommVqKeyEncoder(book).encode(0, keys, 0, n, norms, 0, codes, 0);
        double err = 0;
        double energy = 0;
        float[] decoded = new float[f];
        for (int t = 0; t < n; t++) {
            Arrays.fill(decoded, 0f);
            for (int h = 0; h < heads; h++) {
                book.decodeHead(0, h, codes, (t * heads + h) * stages, norms[t], decoded, h * headDim);
            }
            for (int i = 0; i < f; i++) {
                double k = keys[t * f + i];
                double d = k - decoded[i];
                err += d * d;
                energy += k * k;
            }
        }
        return energy == 0 ? 0 : err / energy;
    }

    /** Values [n][F] through one layer's codec. */
    public static double values(CommVqValueCodec codec, float[] values) {
        float[] decoded = roundTrip(codec, values);
        double err = 0;
        double energy = 0;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            double d = v - decoded[i];
            err += d * d;
            energy += v * v;
        }
        return energy == 0 ? 0 : err / energy;
    }

    /**
     * The attention-output error of values [n][F] through one layer's codec: Σ‖(A·V̂ − A·V)·W_oᵀ‖² / Σ‖A·V·W_oᵀ‖²
     * over the windows of {@code attention}, which covers the same n tokens.
     */
    public static double attentionOutput(CommVqValueCodec codec, float[] values, LayerAttention attention) {
        float[] decoded = roundTrip(codec, values);
        double err = 0;
        double energy = 0;
        int w = 0;
        while (w < attention.windows()) {
            int from = w;
            int rows = 0;
            while (w < attention.windows() && (rows == 0 || rows + attention.windowLength[w] <= BLOCK)) {
                rows += attention.windowLength[w++];
            }
            int[] batch = new int[w - from];
            Arrays.setAll(batch, i -> from + i);
            AttentionOutputLoss loss = new AttentionOutputLoss(attention, batch);
            int off = attention.windowStart[from] * codec.featureDim();
            int len = rows * codec.featureDim();
            float[] v = Arrays.copyOfRange(values, off, off + len);
            err += loss.sumOfSquares(Arrays.copyOfRange(decoded, off, off + len), v);
            energy += loss.sumOfSquares(v, null);
        }
        return energy == 0 ? 0 : err / energy;
    }

    /** decode(encode(v)) for values [n][F], in blocks so the encoder's activations stay small. */
    private static float[] roundTrip(CommVqValueCodec codec, float[] values) {
        int f = codec.featureDim();
        int n = values.length / f;
        int bytes = codec.packedBytes();
        byte[] packed = new byte[BLOCK * bytes];
        float[] sigma = new float[BLOCK];
        float[] decoded = new float[values.length];
        for (int from = 0; from < n; from += BLOCK) {
            int count = Math.min(BLOCK, n - from);
            codec.encode(values, from * f, count, packed, 0, sigma, 0, null);
            for (int t = 0; t < count; t++) {
                codec.decode(packed, t * bytes, sigma[t], decoded, (from + t) * f);
            }
        }
        return decoded;
    }
}
