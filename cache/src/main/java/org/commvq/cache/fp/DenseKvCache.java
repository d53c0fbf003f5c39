package org.commvq.cache.fp;

import org.commvq.cache.CacheMemory;
import org.commvq.cache.ModelShape;
import org.commvq.cache.PostRopeKvCache;

/** A cache that keeps every key (post-RoPE) and value uncompressed, in an element type chosen by the subclass. */
abstract class DenseKvCache extends PostRopeKvCache {

    DenseKvCache(ModelShape shape, int capacity) {
        super(shape, capacity);
    }

    /** Bytes per stored element. */
    protected abstract int elementBytes();

    /** K+V bytes of one token over all layers for an element of the given size. */
    static long bytesPerToken(ModelShape shape, int elementBytes) {
        return 2L * shape.layers() * shape.kvDim() * elementBytes;
    }

    @Override
    public CacheMemory memory() {
        long bytes = 0;
        for (int l = 0; l < shape.layers(); l++) {
            bytes += 2L * length(l) * shape.kvDim() * elementBytes();
        }
        return new CacheMemory(0, 0, bytes, maxLength());
    }

    @Override
    protected void clearStorage() {
        // Stored rows are overwritten before they are read again, so forgetting the lengths is enough.
    }
}
