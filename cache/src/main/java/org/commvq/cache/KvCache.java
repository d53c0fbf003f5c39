package org.commvq.cache;

/**
 * A key/value cache that owns both halves of attention: it stores each layer's keys and values in its own form and
 * computes attention for the model's queries on that form, so compressed caches can score queries on codes.
 *
 * <p>Layouts: keys arrive <em>before</em> RoPE (the cache applies RoPE at the key's absolute position, or an
 * equivalent in the code domain), in the interleaved pair layout; queries arrive <em>after</em> RoPE. Rows are
 * contiguous: keys and values {@code [n][kvHeads*headDim]}, queries and outputs {@code [n][heads*headDim]}.
 */
public interface KvCache {

    /** The --kv-cache name of this cache type. */
    String type();

    ModelShape shape();

    /** Most tokens this cache accepts per layer. */
    int capacity();

    /** Tokens stored so far in the given layer. */
    int length(int layer);

    /**
     * Stores n new tokens at positions {@code pos .. pos+n-1} of one layer and writes the causal attention output of
     * their n queries: query i sees every stored token and new tokens 0..i. The new tokens are attended exactly
     * (full precision); older tokens as this cache holds them. {@code pos} must equal {@link #length(int)}.
     * {@code queries} and {@code out} may both be null when no output is wanted (filling a cache from known keys and
     * values, as benchmarks do): the tokens are then stored exactly as they would be otherwise.
     */
    void appendAndAttend(int layer, int pos, int n, float[] queries, float[] keys, float[] values, float[] out);

    /** Bytes held now, over all layers. */
    CacheMemory memory();

    /** Forgets all tokens; capacity and any codebooks stay. */
    void clear();
}
