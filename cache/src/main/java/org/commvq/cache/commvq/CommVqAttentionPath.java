package org.commvq.cache.commvq;

/** How a CommVQ cache scores and reads its compressed tokens; the full-precision tail is the same for all. */
public enum CommVqAttentionPath {
    /**
     * Spec §1.3 as the official Triton kernel: per query head, tables Pt/Qt of the query against every codebook
     * entry; per token, gather-sums over stages and RoPE applied in the code domain. Values in the bit domain.
     */
    CODE_DOMAIN,
    /**
     * Per KV head: each token's key is rebuilt from θ (two row gathers per stage), rotated once and dotted with the
     * whole query group; spec §1.3 "fused decode-then-dot", about G times less work than CODE_DOMAIN under GQA.
     * Values in the bit domain.
     */
    FUSED_DECODE,
    /** Keys and values decoded densely, RoPE, ordinary attention: the slow, obvious twin for tests. */
    DENSE_REFERENCE
}
