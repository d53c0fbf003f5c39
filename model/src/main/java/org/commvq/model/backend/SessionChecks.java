package org.commvq.model.backend;

/** The argument checks every session makes, so every backend refuses the same calls with the same words. */
public final class SessionChecks {
    private SessionChecks() {
    }

    /** Tokens continue the cache (pos = length), at least one, and they fit. */
    public static void inOrder(int pos, int length, int n, int capacity) {
        if (n < 1) {
            throw new IllegalArgumentException("forward needs at least one token");
        }
        if (pos != length) {
            throw new IllegalArgumentException("position " + pos + " does not continue the cache of " + length
                    + " tokens");
        }
        if (pos + n > capacity) {
            throw new IllegalArgumentException(n + " more tokens after " + pos + " exceed the context of " + capacity);
        }
    }
}
