package org.commvq.cli;

import java.util.Locale;
import java.util.Set;
import org.commvq.cache.KvCacheFactory;
import org.commvq.cache.ModelShape;
import org.commvq.cache.vqkv.VqkvKvCache;

/**
 * Refuses a context whose KV cache cannot fit in the JVM's heap before anything is allocated, with the numbers, so
 * that a too-large --ctx-size fails in a line instead of in an OutOfMemoryError minutes into a run. The estimate is
 * the cache's steady-state bytes per token times the context, plus the full-precision window a compressed cache keeps
 * besides its codes (counted at fp32, VQKV's being the largest). Weights are memory-mapped, outside the heap.
 */
final class MemoryCheck {
    /** VQKV's fp16 window peaks at its sink tokens plus twice its local window; KIVI's and CommVQ's are smaller. */
    static final int WINDOW_TOKENS = VqkvKvCache.SINK_TOKENS + 2 * VqkvKvCache.LOCAL_WINDOW;
    private static final Set<String> WITHOUT_WINDOW = Set.of("fp32", "fp16", "int8");

    private MemoryCheck() {
    }

    /** Returns {@code contextSize} if a cache of that many tokens fits in the maximum heap, else refuses it. */
    static int requireFits(String type, ModelShape shape, int contextSize) {
        long needed = cacheBytes(type, shape, contextSize);
        long heap = Runtime.getRuntime().maxMemory();
        if (needed > heap) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--ctx-size %d needs %s (%d bytes) for a"
                    + " %s KV cache, more than the JVM's maximum heap of %s (%d bytes); use a smaller --ctx-size or a"
                    + " compressed --kv-cache, or raise -Xmx", contextSize, Bytes.format(needed), needed, type,
                    Bytes.format(heap), heap));
        }
        return contextSize;
    }

    static long cacheBytes(String type, ModelShape shape, int contextSize) {
        double codes = Math.ceil(KvCacheFactory.bytesPerToken(type, shape) * contextSize);
        double window = WITHOUT_WINDOW.contains(type) ? 0
                : Math.min(contextSize, WINDOW_TOKENS) * KvCacheFactory.bytesPerToken("fp32", shape);
        return (long) Math.min(Long.MAX_VALUE, codes + window);
    }
}
