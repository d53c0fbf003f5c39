package org.commvq.model.backend;

import org.commvq.cache.CacheMemory;
import org.commvq.model.generate.Generator;

/**
 * One model with one KV cache on one device. Tokens go in strictly in order: a call continues where the previous one
 * ended, so {@code pos} must equal {@link #length()}.
 */
public interface InferenceSession extends Generator.Model, AutoCloseable {

    SessionInfo info();

    /**
     * Forgets every token, keeping the weights and the allocated cache; after {@link #fillSyntheticContext}, every
     * token after the synthetic context.
     */
    void reset();

    /**
     * Benchmark support: makes positions [0, tokens) of the cache hold seeded random contents, as if a context of
     * that length had been run, so decode speed at a long context can be measured without running the context
     * through the model. Only on a session that has not run a token yet.
     */
    default void fillSyntheticContext(int tokens, long seed) {
        throw new IllegalArgumentException("--context needs --device gpu: the " + info().backend()
                + " backend fills its cache only by running the tokens");
    }

    /** Bytes the cache holds now. */
    CacheMemory memory();

    @Override
    void close();
}
