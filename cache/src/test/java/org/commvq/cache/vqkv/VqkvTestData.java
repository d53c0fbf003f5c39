package org.commvq.cache.vqkv;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.commvq.cache.ModelShape;

/** Random codebooks for cache tests: stage i's codewords shrink like a trained residual quantizer's. */
final class VqkvTestData {
    private VqkvTestData() {
    }

    static ResidualCodebook randomCodebook(Random rnd, int dim, int stages, int size) {
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < stages; i++) {
            float[] c = new float[size * dim];
            double sigma = Math.pow(0.6, i);
            for (int j = 0; j < c.length; j++) {
                c[j] = (float) (rnd.nextGaussian() * sigma);
            }
            rows.add(c);
        }
        return new ResidualCodebook(dim, rows);
    }

    static VqkvCodebooks randomCodebooks(Random rnd, ModelShape shape, int keyStages, int keySize, int valueStages,
                                         int valueSize) {
        List<ResidualCodebook> keys = new ArrayList<>();
        List<ResidualCodebook> values = new ArrayList<>();
        for (int l = 0; l < shape.layers(); l++) {
            keys.add(randomCodebook(rnd, shape.headDim(), keyStages, keySize));
            values.add(randomCodebook(rnd, shape.headDim(), valueStages, valueSize));
        }
        return new VqkvCodebooks(keys, values);
    }
}
