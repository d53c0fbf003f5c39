package org.commvq.tornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.commvq.model.forward.Activations;
import org.commvq.model.gguf.GgmlType;
import org.commvq.model.tensor.WeightMatrix;
import org.commvq.tornado.plan.DeviceMatrix;
import org.commvq.tornado.plan.DeviceMemoryBudget;
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
 * model-file matrix: plain, added onto a residual, three stacked as q, k and v, and as SwiGLU of two matrices (against the CPU forward pass's
 * {@code Activations.swiGlu} of the two scalar products). Tolerance per row: 2e-5 · Σ|w·x|, the scale of float
 * summation error (the sums run in a different order on the device), as the CPU kernels' own tests use; for SwiGLU
 * that error carried through the product (silu's slope is at most 1.1), plus 1e-5 relative for the device's exp.
 */
@RequiresTornado
class MatVecTest {

    @ParameterizedTest(name = "F32 {0}x{1}, group {2}")
    @CsvSource({"67, 1120, 256", "300, 64, 64", "5, 4096, 256", "33, 1000, 128"})
    void f32MatchesTheCpuDotProduct(int rows, int cols, int group) {
        check(GgmlType.F32, WeightFormat.F32, rows, cols, group);
    }

    @ParameterizedTest(name = "Q8_0 {0}x{1}, group {2}")
    @CsvSource({"67, 1120, 256", "300, 64, 64", "5, 4096, 256", "9, 8224, 128", "7, 96, 16"})
    void q8MatchesTheCpuDotProduct(int rows, int cols, int group) {
        check(GgmlType.Q8_0, WeightFormat.Q8_0, rows, cols, group);
    }

    @Test
    @RequiresFp16
    void f16MatchesTheCpuDotProduct() {
        check(GgmlType.F16, WeightFormat.F16, 67, 1120, 256);
        check(GgmlType.F16, WeightFormat.F16, 300, 64, 64);
        check(GgmlType.F16, WeightFormat.F16, 40, 576, 128);
        checkQkv(GgmlType.F16, WeightFormat.F16, 64, 16, 576, 128);
    }

    @ParameterizedTest(name = "{0} q {1} rows, k and v {2} rows, width {3}")
    @CsvSource({"F32, 64, 16, 1120", "Q8_0, 96, 32, 512", "Q8_0, 32, 32, 64"})
    void qkvStacksTheThreeProducts(String type, int qRows, int kvRows, int cols) {
        GgmlType t = GgmlType.valueOf(type);
        checkQkv(t, t == GgmlType.F32 ? WeightFormat.F32 : WeightFormat.Q8_0, qRows, kvRows, cols, 128);
    }

    private static void checkQkv(GgmlType type, WeightFormat format, int qRows, int kvRows, int cols, int group) {
        Random random = new Random(qRows * 31L + kvRows);
        WeightMatrix[] m = {matrix(type, random, qRows, cols), matrix(type, random, kvRows, cols),
            matrix(type, random, kvRows, cols)};
        float[] xs = Kernels.uniform(random, cols, 1f);
        DeviceMemoryBudget budget = new DeviceMemoryBudget(1L << 30);
        DeviceMatrix[] d = new DeviceMatrix[3];
        FloatArray[] out = {new FloatArray(qRows), new FloatArray(kvRows), new FloatArray(kvRows)};
        FloatArray x = FloatArray.fromArray(xs);
        TaskGraph graph = new TaskGraph(Kernels.graphName("qkv"));
        for (int i = 0; i < 3; i++) {
            d[i] = WeightUpload.upload(m[i], format, "w" + i, budget);
            graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, d[i].arrays());
        }
        graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, x);
        d[0].qkv(graph, "t", new KernelContext(), d[1], d[2], x, out[0], out[1], out[2], group);
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, out[0], out[1], out[2]);
        Kernels.runOnce(graph, d[0].grid(qRows + 2 * kvRows, group));
        for (int i = 0; i < 3; i++) {
            double[] magnitude = TestWeights.magnitudes(m[i], xs);
            for (int r = 0; r < m[i].rows(); r++) {
                assertEquals(m[i].dotScalar(r, xs, 0), out[i].get(r), 2e-5 * magnitude[r],
                        type + " matrix " + i + " row " + r);
            }
        }
    }

    private static void check(GgmlType type, WeightFormat format, int rows, int cols, int group) {
        Random random = new Random(rows * 7919L + cols);
        WeightMatrix m = matrix(type, random, rows, cols);
        WeightMatrix up = matrix(type, random, rows, cols);
        float[] xs = Kernels.uniform(random, cols, 1f);
        float[] residual = Kernels.uniform(random, rows, 3f);
        DeviceMemoryBudget budget = new DeviceMemoryBudget(1L << 30);
        DeviceMatrix w = WeightUpload.upload(m, format, "w", budget);
        DeviceMatrix u = WeightUpload.upload(up, format, "up", budget);
        FloatArray x = FloatArray.fromArray(xs);
        FloatArray out = new FloatArray(rows);
        FloatArray acc = FloatArray.fromArray(residual);
        FloatArray swiGlu = new FloatArray(rows);
        TaskGraph graph = new TaskGraph(Kernels.graphName("mv"))
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, w.arrays())
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, u.arrays())
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, x, acc);
        KernelContext ctx = new KernelContext();
        w.matVec(graph, "plain", ctx, x, out, group);
        w.matVecAdd(graph, "add", ctx, x, acc, group);
        w.gateUp(graph, "gateUp", ctx, u, x, swiGlu, group);
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, out, acc, swiGlu);
        Kernels.runOnce(graph, w.grid(rows, group), "plain", "add", "gateUp");

        double[] magnitude = TestWeights.magnitudes(m, xs);
        double[] upMagnitude = TestWeights.magnitudes(up, xs);
        for (int r = 0; r < rows; r++) {
            float g = m.dotScalar(r, xs, 0);
            float[] expected = {g};
            Activations.swiGlu(expected, new float[] {up.dotScalar(r, xs, 0)}, 0, 1);
            assertEquals(g, out.get(r), 2e-5 * magnitude[r], type + " row " + r);
            assertEquals(residual[r] + g, acc.get(r), 2e-5 * magnitude[r] + 1e-6 * Math.abs(residual[r]),
                    type + " add, row " + r);
            double silu = Math.abs(g / (1 + Math.exp(-g)));
            double tolerance = 2e-5 * (1.1 * magnitude[r] * Math.abs(up.dotScalar(r, xs, 0))
                    + upMagnitude[r] * silu) + 1e-5 * Math.abs(expected[0]) + 1e-6;
            assertEquals(expected[0], swiGlu.get(r), tolerance, type + " gate/up, row " + r);
        }
    }

    private static WeightMatrix matrix(GgmlType type, Random random, int rows, int cols) {
        return TestWeights.matrix(type, Kernels.uniform(random, rows * cols, 0.5f), rows, cols);
    }
}
