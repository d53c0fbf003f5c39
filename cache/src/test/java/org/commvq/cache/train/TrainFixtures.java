package org.commvq.cache.train;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;
import org.commvq.cache.codebook.ModelFingerprint;

/** Small synthetic data with structure (decaying per-dimension scales, a few shared directions) for training tests. */
final class TrainFixtures {
    static final String VOCAB_HASH = "ab12";

    private TrainFixtures() {
    }

    /** n rows of width floats: a mix of 4 fixed directions plus noise whose scale decays over the dimensions. */
    static float[] rows(int n, int width, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] directions = new float[4][width];
        for (float[] d : directions) {
            for (int i = 0; i < width; i++) {
                d[i] = (float) gaussian(rnd);
            }
        }
        float[] out = new float[n * width];
        for (int t = 0; t < n; t++) {
            float[] d = directions[rnd.nextInt(4)];
            double amp = 0.5 + rnd.nextDouble();
            for (int i = 0; i < width; i++) {
                double scale = 2.0 - 1.8 * i / width;
                out[t * width + i] = (float) (amp * d[i] + scale * gaussian(rnd));
            }
        }
        return out;
    }

    static double gaussian(SplittableRandom rnd) {
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    /** A small model shape whose KV width is kvHeads·headDim. */
    static ModelShape shape(int layers, int kvHeads, int headDim) {
        return new ModelShape(layers, 2 * kvHeads * headDim, 2 * kvHeads, kvHeads, headDim, 64, 600, 256, 1e-5f,
                RopeParameters.plain(10000));
    }

    /**
     * A KV collection in dir with synthetic keys and values (sequences of 16 tokens, 2 sequences per chunk), as
     * collect-kv would write it.
     */
    static KvCollection collection(Path dir, ModelShape shape, int sequences, long seed) {
        KvManifest m = new KvManifest(ModelFingerprint.of(shape, VOCAB_HASH), "synthetic.gguf",
                List.of("synthetic.txt"), "all", 16, sequences, 2, shape.layers(), shape.kvHeads(),
                shape.headDim());
        KvCollection kv = KvCollection.create(dir, m);
        for (int c = 0; c < m.chunks(); c++) {
            int tokens = m.chunkTokens(c);
            float[][] keys = new float[m.layers()][];
            float[][] values = new float[m.layers()][];
            for (int l = 0; l < m.layers(); l++) {
                keys[l] = rows(tokens, m.kvDim(), seed + 1000L * c + 2L * l);
                values[l] = rows(tokens, m.kvDim(), seed + 1000L * c + 2L * l + 1);
            }
            kv.writeChunk(c, keys, values, new int[tokens]);
        }
        return kv;
    }
}
