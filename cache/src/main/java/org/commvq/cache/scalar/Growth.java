package org.commvq.cache.scalar;

/**
 * Array sizes for storage that grows with the context: half again each time, never past the cache's capacity, so a
 * short run does not pay for the whole --ctx-size and a long one does few copies.
 */
final class Growth {
    private Growth() {
    }

    /** Rows to allocate when {@code needed} rows do not fit in {@code current}. */
    static int rows(int current, int needed, int capacity) {
        int grown = Math.max(needed, Math.max(64, current + (current >> 1)));
        return Math.min(capacity, grown);
    }
}
