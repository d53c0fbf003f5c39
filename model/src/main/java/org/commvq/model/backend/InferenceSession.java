package org.commvq.model.backend;

import org.commvq.cache.CacheMemory;
import org.commvq.model.generate.Generator;

/**
 * One model with one KV cache on one device. Tokens go in strictly in order: a call continues where the previous one
 * ended, so {@code pos} must equal {@link #length()}.
 */
public interface InferenceSession extends Generator.Model, AutoCloseable {

    SessionInfo info();

    /** Forgets every token, keeping the weights and the allocated cache. */
    void reset();

    /** Bytes the cache holds now. */
    CacheMemory memory();

    @Override
    void close();
}
