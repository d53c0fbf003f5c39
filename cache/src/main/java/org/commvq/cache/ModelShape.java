package org.commvq.cache;

/**
 * The shapes of a LLaMA model, in one place: every module takes sizes from here instead of recomputing them.
 *
 * @param layers        transformer blocks
 * @param dim           hidden (embedding) width
 * @param heads         query heads
 * @param kvHeads       key/value heads (grouped-query attention: heads is a multiple of kvHeads)
 * @param headDim       width of one head; RoPE rotates all of it
 * @param ffnDim        SwiGLU hidden width
 * @param vocab         vocabulary size
 * @param contextLength the model's trained context (max_position_embeddings)
 * @param rmsEps        RMSNorm epsilon
 * @param rope          RoPE frequencies
 */
public record ModelShape(int layers, int dim, int heads, int kvHeads, int headDim, int ffnDim, int vocab,
                         int contextLength, float rmsEps, RopeParameters rope) {

    public ModelShape {
        positive("layers", layers);
        positive("dim", dim);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("headDim", headDim);
        positive("ffnDim", ffnDim);
        positive("vocab", vocab);
        positive("contextLength", contextLength);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("head count " + heads + " is not a multiple of the KV head count " + kvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim " + headDim + " must be even for RoPE");
        }
        if (rope == null) {
            throw new IllegalArgumentException("rope parameters are missing");
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /** Query heads that share one KV head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    /** Width of all query heads together. */
    public int queryDim() {
        return heads * headDim;
    }

    /** Width of all KV heads of one token in one layer (F in the spec). */
    public int kvDim() {
        return kvHeads * headDim;
    }
}
