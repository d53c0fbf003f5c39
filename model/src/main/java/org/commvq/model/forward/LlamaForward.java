package org.commvq.model.forward;

import org.commvq.cache.KvCache;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;
import org.commvq.cache.Workers;
import org.commvq.model.tensor.WeightMatrix;

/**
 * The LLaMA forward pass on the CPU. A call runs n consecutive tokens (a prefill chunk, or n = 1 to decode); every
 * matrix product is batched over those n rows, and attention goes through the {@link KvCache}, which also stores
 * the new keys and values.
 *
 * <pre>
 * tokens ─► embedding ─► x ─┬─► for each layer:
 *                           │     rmsnorm ─► Wq,Wk,Wv ─► RoPE(q) ─► cache.appendAndAttend(q, k pre-RoPE, v) ─► Wo ─► +x
 *                           │     rmsnorm ─► Wgate,Wup ─► SwiGLU ─► Wdown ─► +x
 *                           └─► final rmsnorm ─► output head ─► logits
 * </pre>
 */
public final class LlamaForward {
    private final ModelShape shape;
    private final LlamaWeights weights;
    private final Rope rope;

    public LlamaForward(ModelShape shape, LlamaWeights weights) {
        weights.check(shape);
        this.shape = shape;
        this.weights = weights;
        this.rope = new Rope(shape.rope(), shape.headDim());
    }

    public ModelShape shape() {
        return shape;
    }

    public LlamaWeights weights() {
        return weights;
    }

    /** Logits of the last of the n tokens at positions pos..pos+n-1. */
    public float[] forward(int[] tokens, int from, int n, int pos, KvCache cache) {
        float[] x = hidden(tokens, from, n, pos, cache);
        float[] last = new float[shape.dim()];
        Activations.rmsNorm(last, 0, x, (n - 1) * shape.dim(), weights.outputNorm(), shape.rmsEps());
        float[] logits = new float[shape.vocab()];
        weights.output().matvec(last, logits);
        return logits;
    }

    /** Logits of every one of the n tokens, {@code [n][vocab]}: for perplexity and per-position checks. */
    public float[] forwardAll(int[] tokens, int from, int n, int pos, KvCache cache) {
        float[] x = hidden(tokens, from, n, pos, cache);
        int dim = shape.dim();
        float[] normed = new float[n * dim];
        for (int i = 0; i < n; i++) {
            Activations.rmsNorm(normed, i * dim, x, i * dim, weights.outputNorm(), shape.rmsEps());
        }
        float[] logits = new float[n * shape.vocab()];
        weights.output().matmul(normed, n, logits);
        return logits;
    }

    private float[] hidden(int[] tokens, int from, int n, int pos, KvCache cache) {
        if (n <= 0) {
            throw new IllegalArgumentException("forward needs at least one token");
        }
        int dim = shape.dim();
        int vocab = shape.vocab();
        float[] x = new float[n * dim];
        for (int i = 0; i < n; i++) {
            int id = tokens[from + i];
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocab);
            }
            weights.tokenEmbedding().row(id, x, i * dim);
        }
        Buffers b = new Buffers(shape, n);
        for (int l = 0; l < shape.layers(); l++) {
            layer(l, weights.layers().get(l), x, n, pos, cache, b);
        }
        return x;
    }

    private void layer(int l, LayerWeights w, float[] x, int n, int pos, KvCache cache, Buffers b) {
        int dim = shape.dim();
        int qDim = shape.queryDim();
        float eps = shape.rmsEps();
        for (int i = 0; i < n; i++) {
            Activations.rmsNorm(b.xb, i * dim, x, i * dim, w.attnNorm(), eps);
        }
        WeightMatrix.matmulAll(b.xb, n, new WeightMatrix[] {w.wq(), w.wk(), w.wv()}, new float[][] {b.q, b.k, b.v});
        for (int i = 0; i < n; i++) {
            rope.rotate(b.q, i * qDim, shape.heads(), pos + i);
        }
        cache.appendAndAttend(l, pos, n, b.q, b.k, b.v, b.att);
        w.wo().matmul(b.att, n, b.xb);
        add(x, b.xb, n * dim);
        for (int i = 0; i < n; i++) {
            Activations.rmsNorm(b.xb, i * dim, x, i * dim, w.ffnNorm(), eps);
        }
        WeightMatrix.matmulAll(b.xb, n, new WeightMatrix[] {w.wGate(), w.wUp()}, new float[][] {b.gate, b.up});
        int ffn = shape.ffnDim();
        Workers.parallelFor(n, 1, i -> Activations.swiGlu(b.gate, b.up, i * ffn, ffn));
        w.wDown().matmul(b.gate, n, b.xb);
        add(x, b.xb, n * dim);
    }

    private static void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += y[i];
        }
    }

    /** Activations of one call, sized for its n tokens. */
    private static final class Buffers {
        final float[] xb;
        final float[] q;
        final float[] k;
        final float[] v;
        final float[] att;
        final float[] gate;
        final float[] up;

        Buffers(ModelShape s, int n) {
            xb = new float[n * s.dim()];
            q = new float[n * s.queryDim()];
            k = new float[n * s.kvDim()];
            v = new float[n * s.kvDim()];
            att = new float[n * s.queryDim()];
            gate = new float[n * s.ffnDim()];
            up = new float[n * s.ffnDim()];
        }
    }
}
