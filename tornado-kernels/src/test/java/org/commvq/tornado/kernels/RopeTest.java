package org.commvq.tornado.kernels;

import java.util.Random;

import org.commvq.cache.RopeParameters;
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
 * The RoPE kernel against {@code org.commvq.cache.Rope.rotate}, with the same host-computed angles, plain and llama3
 * frequencies, up to position 131071. Tolerance 1e-6 absolute on values of magnitude ≤ 2: the only difference is
 * whether the device fuses x·c − y·s into one FMA.
 */
@RequiresTornado
class RopeTest {

    @ParameterizedTest(name = "heads {0}, head_dim {1}, pos {2}, llama3 {3}")
    @CsvSource({"8, 64, 0, false", "32, 128, 1, false", "8, 128, 777, true", "4, 64, 131071, true", "3, 2, 5, false"})
    void rotationMatchesTheCacheRope(int heads, int headDim, int pos, boolean llama3) {
        RopeParameters params = llama3 ? RopeParameters.llama3(500000, 8, 1, 4, 8192) : RopeParameters.plain(10000);
        org.commvq.cache.Rope rope = new org.commvq.cache.Rope(params, headDim);
        int pairs = headDim / 2;
        float[] v = Kernels.uniform(new Random(pos + heads), heads * headDim, 2f);
        float[] expected = v.clone();
        rope.rotate(expected, 0, heads, pos);

        float[] cos = new float[pairs];
        float[] sin = new float[pairs];
        rope.angles(pos, cos, sin);
        FloatArray dv = FloatArray.fromArray(v);
        FloatArray dc = FloatArray.fromArray(cos);
        FloatArray ds = FloatArray.fromArray(sin);
        TaskGraph graph = new TaskGraph(Kernels.graphName("rope"))
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, dv, dc, ds)
                .task("t", Rope::rotatePairs, new KernelContext(), dv, dc, ds, heads, pairs)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, dv);
        Kernels.runOnce(graph, Grids.perElement(heads * pairs, 64));
        Tolerance.assertClose("rope", expected, dv, 1e-6, 0);
    }
}
