package org.commvq.tornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.commvq.model.gguf.GgmlType;
import org.commvq.model.tensor.WeightMatrix;
import org.commvq.tornado.plan.DeviceMatrix;
import org.commvq.tornado.plan.DeviceMemoryBudget;
import org.commvq.tornado.plan.Grids;
import org.commvq.tornado.plan.WeightFormat;
import org.commvq.tornado.plan.WeightUpload;
import org.commvq.tornado.testing.Kernels;
import org.commvq.tornado.testing.RequiresFp16;
import org.commvq.tornado.testing.RequiresTornado;
import org.commvq.tornado.testing.TestWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Each matrix-vector kernel against the product's scalar dot product ({@link WeightMatrix#dotScalar}) of the same
 * model-file matrix. Tolerance per row: 2e-5 · Σ|w·x|, the scale of float summation error (the sums run in a
 * different order on the device), as the CPU kernels' own tests use.
 */
@RequiresTornado
class MatVecTest {

    @ParameterizedTest(name = "F32 {0}x{1}, group {2}")
    @CsvSource({"67, 1120, 256", "300, 64, 64", "5, 4096, 256", "33, 1000, 128"})
    void f32MatchesTheCpuDotProduct(int rows, int cols, int group) {
        check(GgmlType.F32, WeightFormat.F32, rows, cols, group);
    }

    @ParameterizedTest(name = "Q8_0 {0}x{1}, group {2}")
    @CsvSource({"67, 1120, 256", "300, 64, 64", "5, 4096, 256"})
    void q8MatchesTheCpuDotProduct(int rows, int cols, int group) {
        check(GgmlType.Q8_0, WeightFormat.Q8_0, rows, cols, group);
    }

    @Test
    @RequiresFp16
    void f16MatchesTheCpuDotProduct() {
        check(GgmlType.F16, WeightFormat.F16, 67, 1120, 256);
        check(GgmlType.F16, WeightFormat.F16, 300, 64, 64);
    }

    private static void check(GgmlType type, WeightFormat format, int rows, int cols, int group) {
        Random random = new Random(rows * 7919L + cols);
        WeightMatrix m = TestWeights.matrix(type, Kernels.uniform(random, rows * cols, 0.5f), rows, cols);
        float[] xs = Kernels.uniform(random, cols, 1f);
        DeviceMatrix w = WeightUpload.upload(m, format, "w", new DeviceMemoryBudget(1L << 30));
        FloatArray x = FloatArray.fromArray(xs);
        FloatArray out = new FloatArray(rows);
        TaskGraph graph = new TaskGraph(Kernels.graphName("mv"))
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, w.arrays())
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, x);
        w.matVec(graph, "t", new KernelContext(), x, out);
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        Kernels.runOnce(graph, Grids.perGroup(rows, group));

        double[] magnitude = TestWeights.magnitudes(m, xs);
        for (int r = 0; r < rows; r++) {
            assertEquals(m.dotScalar(r, xs, 0), out.get(r), 2e-5 * magnitude[r], type + " row " + r);
        }
    }
}
