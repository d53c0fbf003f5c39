package org.commvq.model.forward;

import java.util.List;
import org.commvq.cache.ModelShape;
import org.commvq.model.tensor.WeightMatrix;

/**
 * All weights of a LLaMA model, checked against its shape once at load time so the forward pass never meets a
 * mismatched matrix.
 */
public record LlamaWeights(WeightMatrix tokenEmbedding, List<LayerWeights> layers, float[] outputNorm,
                           WeightMatrix output) {

    /** Throws IllegalArgumentException naming the first tensor whose shape does not fit. */
    public void check(ModelShape s) {
        expect("token_embd", tokenEmbedding, s.vocab(), s.dim());
        expect("output", output, s.vocab(), s.dim());
        expectLength("output_norm", outputNorm, s.dim());
        if (layers.size() != s.layers()) {
            throw new IllegalArgumentException("expected " + s.layers() + " layers, found " + layers.size());
        }
        for (int i = 0; i < layers.size(); i++) {
            LayerWeights l = layers.get(i);
            String p = "blk." + i + ".";
            expectLength(p + "attn_norm", l.attnNorm(), s.dim());
            expect(p + "attn_q", l.wq(), s.queryDim(), s.dim());
            expect(p + "attn_k", l.wk(), s.kvDim(), s.dim());
            expect(p + "attn_v", l.wv(), s.kvDim(), s.dim());
            expect(p + "attn_output", l.wo(), s.dim(), s.queryDim());
            expectLength(p + "ffn_norm", l.ffnNorm(), s.dim());
            expect(p + "ffn_gate", l.wGate(), s.ffnDim(), s.dim());
            expect(p + "ffn_up", l.wUp(), s.ffnDim(), s.dim());
            expect(p + "ffn_down", l.wDown(), s.dim(), s.ffnDim());
        }
    }

    /** Bytes of all matrices and norms as stored. */
    public long byteSize() {
        long bytes = tokenEmbedding.byteSize() + output.byteSize() + 4L * outputNorm.length;
        for (LayerWeights l : layers) {
            bytes += l.wq().byteSize() + l.wk().byteSize() + l.wv().byteSize() + l.wo().byteSize()
                    + l.wGate().byteSize() + l.wUp().byteSize() + l.wDown().byteSize()
                    + 4L * (l.attnNorm().length + l.ffnNorm().length);
        }
        return bytes;
    }

    /** Number of weights (parameters). */
    public long parameterCount() {
        long n = count(tokenEmbedding) + count(output) + outputNorm.length;
        for (LayerWeights l : layers) {
            n += count(l.wq()) + count(l.wk()) + count(l.wv()) + count(l.wo()) + count(l.wGate()) + count(l.wUp())
                    + count(l.wDown()) + l.attnNorm().length + l.ffnNorm().length;
        }
        return n;
    }

    private static long count(WeightMatrix m) {
        return (long) m.rows() * m.cols();
    }

    private static void expect(String name, WeightMatrix m, int rows, int cols) {
        if (m.rows() != rows || m.cols() != cols) {
            throw new IllegalArgumentException("tensor " + name + " has shape [" + m.rows() + " x " + m.cols()
                    + "], expected [" + rows + " x " + cols + "] for this model's metadata");
        }
    }

    private static void expectLength(String name, float[] v, int n) {
        if (v.length != n) {
            throw new IllegalArgumentException("tensor " + name + " has " + v.length + " elements, expected " + n);
        }
    }
}
