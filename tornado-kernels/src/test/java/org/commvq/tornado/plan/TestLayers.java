package org.commvq.tornado.plan;

import java.util.Random;

import org.commvq.model.forward.LayerWeights;
import org.commvq.model.gguf.GgmlType;
import org.commvq.model.tensor.WeightMatrix;
import org.commvq.tornado.testing.Kernels;
import org.commvq.tornado.testing.TestWeights;

/** Random transformer blocks in a chosen file type, scaled so activations stay of order one through a layer. */
final class TestLayers {
    private TestLayers() {
    }

    static LayerWeights random(Random random, int dim, int ffnDim, int kvDim, GgmlType type) {
        return new LayerWeights(
                norm(random, dim),
                matrix(random, dim, dim, type),
                matrix(random, kvDim, dim, type),
                matrix(random, kvDim, dim, type),
                matrix(random, dim, dim, type),
                norm(random, dim),
                matrix(random, ffnDim, dim, type),
                matrix(random, ffnDim, dim, type),
                matrix(random, dim, ffnDim, type));
    }

    private static WeightMatrix matrix(Random random, int rows, int cols, GgmlType type) {
        float scale = (float) Math.sqrt(3.0 / cols);
        return TestWeights.matrix(type, Kernels.uniform(random, rows * cols, scale), rows, cols);
    }

    private static float[] norm(Random random, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.5f + random.nextFloat();
        }
        return w;
    }
}
