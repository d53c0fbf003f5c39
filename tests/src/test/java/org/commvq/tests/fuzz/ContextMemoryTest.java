package org.commvq.tests.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.commvq.cache.ModelShape;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.load.ModelLoader;
import org.junit.jupiter.api.Test;

/**
 * A context whose KV cache cannot fit in the heap is refused before the cache is allocated, in one line that gives
 * the bytes it needs and the JVM's maximum heap; a context that fits still runs.
 */
class ContextMemoryTest {

    @Test
    void contextBeyondTheHeapIsRefusedWithTheNumbers() {
        long contextSize = 100_000_000;
        ModelShape shape;
        try (LoadedModel model = ModelLoader.load(ShippedModel.path())) {
            shape = model.shape();
        }
        long needed = 2L * shape.layers() * shape.kvDim() * Float.BYTES * contextSize;
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ShippedModel.Run r = ShippedModel.run("generate", "-m", ShippedModel.path().toString(), "--ctx-size",
                Long.toString(contextSize), "--kv-cache", "fp32", "-p", "x", "-n", "1");
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(1, r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.startsWith("error: --ctx-size 100000000 needs "), err);
        assertTrue(err.contains("(" + needed + " bytes)"), "needs " + needed + ": " + err);
        assertTrue(err.contains("(" + Runtime.getRuntime().maxMemory() + " bytes)"), "max heap: " + err);
        assertTrue(allocated < needed / 10, "allocated " + allocated + " bytes before refusing");
    }

    @Test
    void contextThatFitsRuns() {
        ShippedModel.Run r = ShippedModel.run("generate", "-m", ShippedModel.path().toString(), "--ctx-size",
                "4096", "--kv-cache", "fp32", "-p", "x", "-n", "2", "--temperature", "0");
        assertEquals(0, r.code(), r.err());
    }
}
