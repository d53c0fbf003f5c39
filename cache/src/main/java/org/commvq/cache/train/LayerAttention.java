package org.commvq.cache.train;

import java.util.Arrays;
import org.commvq.cache.Rope;
import org.commvq.cache.RopeParameters;
import org.commvq.cache.Workers;
import org.commvq.cache.codebook.ModelFingerprint;

/**
 * One layer's frozen attention, as the attention-output term of the value loss sees it (spec §1.6, "cheaper
 * equivalent"): the collected queries and keys rotated to their positions, cut into windows of consecutive tokens
 * of one sequence, and the Gram matrix W_oᵀW_o of the output projection.
 *
 * <p>Each window is attended on its own (causal, from its first token), so a window shorter than the sequence drops
 * the earlier tokens, the BOS attention sink among them; a window of the whole sequence is the exact teacher-forced
 * attention of the collection run. Only W_oᵀW_o is kept because the term needs ‖o·W_oᵀ‖² = o·(W_oᵀW_o)·oᵀ: a
 * [heads·d]² product per token instead of two [dim × heads·d] ones.
 */
public final class LayerAttention {
    final int heads;
    final int kvHeads;
    final int headDim;
    /** Rows of W_o: the width the output error is averaged over. */
    final int outputDim;
    /** [n][heads·d], post-RoPE. */
    final float[] queries;
    /** [n][kvHeads·d], post-RoPE. */
    final float[] keys;
    /** [heads·d][heads·d], symmetric. */
    final float[] gram;
    final int[] windowStart;
    final int[] windowLength;

    private LayerAttention(int heads, int kvHeads, int headDim, int outputDim, float[] queries, float[] keys,
                           float[] gram, int[] windowStart, int[] windowLength) {
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.outputDim = outputDim;
        this.queries = queries;
        this.keys = keys;
        this.gram = gram;
        this.windowStart = windowStart;
        this.windowLength = windowLength;
    }

    /** The first {@code maxTokens} tokens of one layer of a collection that has queries. */
    public static LayerAttention load(KvCollection kv, int layer, long maxTokens, int window) {
        float[] q = kv.layer(layer, KvCollection.KvKind.QUERIES, maxTokens);
        float[] k = kv.layer(layer, KvCollection.KvKind.KEYS, maxTokens);
        return of(kv.manifest(), q, k, kv.attentionOutput(layer), window);
    }

    /**
     * @param queries pre-RoPE queries [n][heads·d] starting at a sequence's first token, as a collection stores them
     * @param keys    pre-RoPE keys [n][F] of the same tokens
     * @param wo      W_o [dim][heads·d]
     */
    public static LayerAttention of(KvManifest m, float[] queries, float[] keys, float[] wo, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("the attention window must be at least 1 token, got " + window);
        }
        ModelFingerprint fp = m.model();
        int qDim = m.queryDim();
        int n = keys.length / m.kvDim();
        if (queries.length != (long) n * qDim || wo.length % qDim != 0) {
            throw new IllegalArgumentException("queries, keys and W_o disagree: " + queries.length / qDim
                    + " query rows, " + n + " key rows, W_o of " + wo.length + " numbers for width " + qDim);
        }
        Rope rope = new Rope(new RopeParameters(fp.ropeTheta(), fp.ropeFactor(), fp.ropeLowFreqFactor(),
                fp.ropeHighFreqFactor(), fp.ropeOriginalContext()), m.headDim());
        float[] q = queries.clone();
        float[] k = keys.clone();
        int seqLen = m.seqLen();
        Workers.parallelFor(n, 64, t -> {
            rope.rotate(q, t * qDim, fp.heads(), t % seqLen);
            rope.rotate(k, t * m.kvDim(), m.kvHeads(), t % seqLen);
        });
        int perSequence = (seqLen + window - 1) / window;
        int count = 0;
        int[] start = new int[(n + seqLen - 1) / seqLen * perSequence];
        int[] length = new int[start.length];
        for (int s = 0; s * seqLen < n; s++) {
            int end = Math.min(n, (s + 1) * seqLen);
            for (int t = s * seqLen; t < end; t += window) {
                start[count] = t;
                length[count++] = Math.min(window, end - t);
            }
        }
        return new LayerAttention(fp.heads(), m.kvHeads(), m.headDim(), wo.length / qDim, q, k,
                gram(wo, wo.length / qDim, qDim), Arrays.copyOf(start, count),
                Arrays.copyOf(length, count));
    }

    public int windows() {
        return windowStart.length;
    }

    int queryDim() {
        return heads * headDim;
    }

    int kvDim() {
        return kvHeads * headDim;
    }

    /** W_oᵀW_o, row a built as Σ_r W_o[r][a]·W_o[r][·] in row order, so it is the same on any thread count. */
    private static float[] gram(float[] wo, int rows, int cols) {
        float[] g = new float[cols * cols];
        Workers.parallelFor(cols, 4, a -> {
            for (int r = 0; r < rows; r++) {
                float w = wo[r * cols + a];
                if (w != 0) {
                    Lanes.axpy(w, wo, r * cols, g, a * cols, cols);
                }
            }
        });
        return g;
    }
}
