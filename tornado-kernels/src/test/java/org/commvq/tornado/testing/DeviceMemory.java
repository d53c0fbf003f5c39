package org.commvq.tornado.testing;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import org.commvq.tornado.plan.Grids;

/**
 * Device allocations are not zeroed: a buffer can come back holding whatever a freed one held. A fresh process gets
 * fresh, zeroed pages, so a kernel reading memory it never wrote passes alone and fails after other work. Filling a
 * buffer with 1e30 (the OpenCL backend cannot emit a NaN constant) and freeing it makes such a read show, and puts a
 * finished plan in the JVM's past, as a test run or a long-lived application has.
 */
public final class DeviceMemory {
    private DeviceMemory() {
    }

    /** Fills {@code floats} floats of device memory with 1e30, then frees them. */
    public static void poison(int floats) {
        FloatArray junk = new FloatArray(floats);
        KernelContext ctx = new KernelContext();
        TaskGraph graph = new TaskGraph(Kernels.graphName("poison"))
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, junk)
                .task("t", DeviceMemory::fill, ctx, junk)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, junk);
        Kernels.runOnce(graph, Grids.perElement(floats, 256));
    }

    static void fill(KernelContext ctx, FloatArray a) {
        int i = ctx.globalIdx;
        if (i < a.getSize()) {
            a.set(i, 1.0e30f);
        }
    }
}
