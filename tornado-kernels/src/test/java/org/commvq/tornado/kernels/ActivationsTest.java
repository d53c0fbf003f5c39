package org.commvq.tornado.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;

import org.commvq.tornado.plan.Grids;
import org.commvq.tornado.testing.Kernels;
import org.commvq.tornado.testing.RequiresTornado;
import org.commvq.tornado.testing.Tolerance;
import org.junit.jupiter.api.Test;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * SwiGLU against the CPU forward pass's {@code Activations.swiGlu} (tolerance 1e-6 + 1e-5·|expected|: the device's
 * exp is not Java's), and the residual add, which must be bit-exact.
 */
@RequiresTornado
class ActivationsTest {
    private static final int N = 1000;

    @Test
    void swiGluMatchesTheForwardPass() {
        Random random = new Random(11);
        float[] gate = Kernels.uniform(random, N, 8f);
        float[] up = Kernels.uniform(random, N, 2f);
        float[] expected = gate.clone();
        org.commvq.model.forward.Activations.swiGlu(expected, up, 0, N);

        FloatArray dg = FloatArray.fromArray(gate);
        FloatArray du = FloatArray.fromArray(up);
        TaskGraph graph = new TaskGraph(Kernels.graphName("swiglu"))
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, dg, du)
                .task("t", Activations::swiGlu, new KernelContext(), dg, du, N)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, dg);
        Kernels.runOnce(graph, Grids.perElement(N, 128));
        Tolerance.assertClose("swiGlu", expected, dg, 1e-6, 1e-5);
    }

    @Test
    void residualAddIsExact() {
        Random random = new Random(12);
        float[] x = Kernels.uniform(random, N, 5f);
        float[] y = Kernels.uniform(random, N, 5f);
        float[] expected = new float[N];
        for (int i = 0; i < N; i++) {
            expected[i] = x[i] + y[i];
        }
        FloatArray dx = FloatArray.fromArray(x);
        FloatArray dy = FloatArray.fromArray(y);
        TaskGraph graph = new TaskGraph(Kernels.graphName("add"))
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, dx, dy)
                .task("t", Activations::add, new KernelContext(), dx, dy, N)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, dx);
        Kernels.runOnce(graph, Grids.perElement(N, 128));
        assertArrayEquals(expected, dx.toHeapArray());
    }
}
