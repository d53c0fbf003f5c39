package org.commvq.model.eval;

import org.commvq.cache.KvCacheFactory;
import org.commvq.cache.ModelShape;
import org.commvq.cache.scalar.KiviKvCache;
import org.commvq.cache.vqkv.VqkvKvCache;
import org.commvq.model.gguf.GgmlType;

/**
 * Memory a model needs to decode at a given context, and the longest context that fits a budget:
 * <pre>
 *   weights + activations + logits + full-precision window + codebooks + context × (cache bytes/token + scores)
 * </pre>
 * Weights: every matrix in the weight type (an untied output head, as this engine stores it), norms in f32.
 * Activations: one decode step's buffers. Scores: one float per query head and cached token. The window is the
 * fp16 tail a compressed cache keeps beside its codes, counted whole at every context (a slight over-estimate
 * below the window length).
 *
 * @param weights the weight type of the matrices
 * @param budget  bytes available
 */
public record MemoryBudget(ModelShape shape, GgmlType weights, long budget) {
    /** Tokens CommVQ keeps in fp16 before compressing them, per layer. */
    public static final int COMMVQ_TAIL = 128;

    /**
     * One cache type at this budget.
     *
     * @param bitsPerValue  cache bits per stored key or value element, in steady state
     * @param windowBytes   its bounded fp16 tail or window
     * @param codebookBytes its codebooks (0 where unknown or none)
     * @param maxContext    the longest context that fits the budget (0 if the model alone does not)
     */
    public record Plan(String type, double bytesPerToken, double bitsPerValue, long windowBytes, long codebookBytes,
                       long maxContext) {
    }

    public long matrixParameters() {
        long perLayer = (long) shape.dim() * shape.queryDim() * 2 + (long) shape.dim() * shape.kvDim() * 2
                + (long) shape.dim() * shape.ffnDim() * 3;
        return shape.layers() * perLayer + 2L * shape.vocab() * shape.dim();
    }

    public long normParameters() {
        return (2L * shape.layers() + 1) * shape.dim();
    }

    public long parameterCount() {
        return matrixParameters() + normParameters();
    }

    public long weightBytes() {
        return weights.byteSize(matrixParameters()) + Float.BYTES * normParameters();
    }

    /** Hidden state, norm output, q, attention output, k, v, gate and up of one decode step, in f32. */
    public long activationBytes() {
        return Float.BYTES * (2L * shape.dim() + 2L * shape.queryDim() + 2L * shape.kvDim() + 2L * shape.ffnDim());
    }

    public long logitsBytes() {
        return (long) Float.BYTES * shape.vocab();
    }

    /** Tokens a cache type keeps in fp16 beside its compressed ones; 0 for types that compress every token. */
    public static int windowTokens(String type) {
        if (type.startsWith("commvq")) {
            return COMMVQ_TAIL;
        }
        if (type.startsWith("kivi")) {
            return KiviKvCache.RESIDUAL;
        }
        if (type.startsWith("vqkv")) {
            return VqkvKvCache.SINK_TOKENS + 2 * VqkvKvCache.LOCAL_WINDOW;
        }
        return 0;
    }

    public long windowBytes(String type) {
        return (long) windowTokens(type) * fp16BytesPerToken();
    }

    /** K and V of one token in all layers at fp16. */
    public long fp16BytesPerToken() {
        return 2L * Short.BYTES * shape.layers() * shape.kvDim();
    }

    /** Cache bits per stored key or value element, in steady state. */
    public static double bitsPerValue(String type, ModelShape shape) {
        return bitsPerValue(KvCacheFactory.bytesPerToken(type, shape), shape);
    }

    /** The same from bytes per token over all layers. */
    public static double bitsPerValue(double bytesPerToken, ModelShape shape) {
        return bytesPerToken * 8 / (2.0 * shape.layers() * shape.kvDim());
    }

    /** Bytes that grow with the context, per token. */
    public double perTokenBytes(String type) {
        return KvCacheFactory.bytesPerToken(type, shape) + (double) Float.BYTES * shape.heads();
    }

    /** Bytes that do not grow with the context. */
    public long fixedBytes(String type, long codebookBytes) {
        return weightBytes() + activationBytes() + logitsBytes() + windowBytes(type) + codebookBytes;
    }

    public long totalBytes(String type, long codebookBytes, long context) {
        return fixedBytes(type, codebookBytes) + (long) Math.ceil(context * perTokenBytes(type));
    }

    public Plan plan(String type, long codebookBytes) {
        long free = budget - fixedBytes(type, codebookBytes);
        long max = free <= 0 ? 0 : (long) Math.floor(free / perTokenBytes(type));
        return new Plan(type, KvCacheFactory.bytesPerToken(type, shape), bitsPerValue(type, shape), windowBytes(type),
                codebookBytes, max);
    }
}
