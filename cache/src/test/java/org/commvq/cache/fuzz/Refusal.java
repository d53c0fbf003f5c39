package org.commvq.cache.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

/** What a refused read threw, and the heap the thread allocated before the refusal. */
record Refusal(RuntimeException thrown, long allocated) {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Runs a read that must fail with {@code expected}. */
    static Refusal of(Class<? extends RuntimeException> expected, Runnable read) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            read.run();
        } catch (RuntimeException e) {
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            if (!expected.isInstance(e)) {
                throw new AssertionError("expected " + expected.getSimpleName() + ", got " + e, e);
            }
            return new Refusal(e, allocated);
        }
        throw new AssertionError("expected " + expected.getSimpleName() + ", but the read succeeded");
    }

    /** Refused before allocating anything near the claim, with a message that names it. */
    void assertPrompt(long heapLimit, String... mustContain) {
        String message = thrown.getMessage();
        assertTrue(allocated < heapLimit, "allocated " + allocated + " bytes before refusing: " + message);
        for (String s : mustContain) {
            assertTrue(message.contains(s), "'" + s + "' missing from: " + message);
        }
    }
}
