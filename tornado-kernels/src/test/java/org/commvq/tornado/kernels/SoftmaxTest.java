package org.commvq.tornado.kernels;

import java.util.Random;

import org.commvq.cache.ExactAttention;
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
 * Softmax against the cache's {@link ExactAttention#softmax}, the one softmax of the CPU path. Tolerance
 * 1e-7 + 1e-5·|expected|: device exp and a differently ordered sum.
 */
@RequiresTornado
class SoftmaxTest {

    @ParameterizedTest(name = "n={0}, spread {1}, group {2}")
    @CsvSource({"1000, 10, 256", "5, 3, 256", "4096, 30, 128", "1, 1, 32"})
    void softmaxMatchesExactAttention(int n, float spread, int group) {
        float[] logits = Kernels.uniform(new Random(n), n, spread);
        float[] expected = logits.clone();
        ExactAttention.softmax(expected, n);

        FloatArray values = FloatArray.fromArray(logits);
        TaskGraph graph = new TaskGraph(Kernels.graphName("softmax"))
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, values)
                .task("t", Softmax::softmax, new KernelContext(), values, n)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, values);
        Kernels.runOnce(graph, Grids.single(group));
        Tolerance.assertClose("softmax", expected, values, 1e-7, 1e-5);
    }
}
