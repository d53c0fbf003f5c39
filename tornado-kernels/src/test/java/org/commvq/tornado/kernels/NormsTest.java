package org.commvq.tornado.kernels;

import java.util.Random;

import org.commvq.tornado.plan.Grids;
import org.commvq.tornado.testing.Kernels;
import org.commvq.tornado.testing.RequiresTornado;
import org.commvq.tornado.testing.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * RMSNorm against the CPU forward pass's {@code Activations.rmsNorm}. Tolerance 1e-6 + 2e-6·|expected|: the sum of
 * squares runs in another order and the device's sqrt is float where the CPU's is double.
 */
@RequiresTornado
class NormsTest {

    @ParameterizedTest(name = "n={0}, group {1}")
    @CsvSource({"4096, 256", "1000, 256", "576, 64", "3, 32"})
    void rmsNormMatchesTheForwardPass(int n, int group) {
        Random random = new Random(n);
        float[] x = Kernels.uniform(random, n, 3f);
        float[] w = Kernels.uniform(random, n, 1f);
        float eps = 1e-5f;
        float[] expected = new float[n];
        org.commvq.model.forward.Activations.rmsNorm(expected, 0, x, 0, w, eps);

        FloatArray out = new FloatArray(n);
        FloatArray dx = FloatArray.fromArray(x);
        FloatArray dw = FloatArray.fromArray(w);
        TaskGraph graph = new TaskGraph(Kernels.graphName("norm"))
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, dx, dw)
                .task("t", Norms::rmsNorm, new KernelContext(), out, dx, dw, n, eps)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        Kernels.runOnce(graph, Grids.single(group));
        Tolerance.assertClose("rmsNorm", expected, out, 1e-6, 2e-6);
    }
}
