package org.commvq.cache.commvq;

import java.util.Arrays;
import org.commvq.cache.Rope;

/**
 * The slow, obvious twin of the code-domain kernels: every compressed key is decoded to a dense vector
 * (s_n·Σ_r w_r(c_r)), rotated with {@link Rope} at its position and dotted with the query; every compressed value is
 * decoded (σ_n·(b_n·E)⊙(λ+eps)) and summed with its softmax weight. Single-threaded; for tests.
 */
final class CommVqDenseReference {
    private CommVqDenseReference() {
    }

    static void keyLogits(CommVqKeyCodebook codebook, int layer, CommVqLayerStore store, Rope rope,
                          CommVqQueryRows q, float scale, float[] logits, int stride) {
        int heads = codebook.kvHeads();
        int stages = codebook.stages();
        int headDim = q.headDim;
        float[] key = new float[heads * headDim];
        int[] codes = new int[stages];
        for (int b = 0; b < store.blocks(); b++) {
            for (int t = 0; t < CommVqLayerStore.BLOCK; t++) {
                int pos = b * CommVqLayerStore.BLOCK + t;
                float norm = Float.float16ToFloat(store.keyNorms(b)[t]);
                Arrays.fill(key, 0f);
                for (int h = 0; h < heads; h++) {
                    for (int r = 0; r < stages; r++) {
                        codes[r] = store.code(b, h, t, r);
                    }
                    codebook.decodeHead(layer, h, codes, 0, norm, key, h * headDim);
                }
                rope.rotate(key, 0, heads, pos);
                for (int row = 0; row < q.rows; row++) {
                    float s = 0;
                    for (int i = 0; i < headDim; i++) {
                        s += q.interleaved[row * headDim + i] * key[q.kvHead[row] * headDim + i];
                    }
                    logits[row * stride + pos] = s * scale;
                }
            }
        }
    }

    /** rowOut[row·d ..] = Σ_n a_{row,n}·v̂_n[head slice] over compressed tokens, a = weights[row·stride + n]. */
    static void values(CommVqValueCodec codec, CommVqLayerStore store, CommVqQueryRows q, float[] weights,
                       int stride, float[] rowOut) {
        int headDim = q.headDim;
        int bytes = store.valueBytes();
        byte[] packed = new byte[bytes];
        float[] value = new float[codec.featureDim()];
        Arrays.fill(rowOut, 0, q.rows * headDim, 0f);
        for (int b = 0; b < store.blocks(); b++) {
            byte[] bits = store.valueBits(b);
            for (int t = 0; t < CommVqLayerStore.BLOCK; t++) {
                for (int beta = 0; beta < bytes; beta++) {
                    packed[beta] = bits[beta * CommVqLayerStore.BLOCK + t];
                }
                codec.decode(packed, 0, Float.float16ToFloat(store.valueScales(b)[t]), value, 0);
                int pos = b * CommVqLayerStore.BLOCK + t;
                for (int row = 0; row < q.rows; row++) {
                    float a = weights[row * stride + pos];
                    int src = q.kvHead[row] * headDim;
                    for (int i = 0; i < headDim; i++) {
                        rowOut[row * headDim + i] += a * value[src + i];
                    }
                }
            }
        }
    }
}
