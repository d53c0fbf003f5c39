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
     * collect-kv would write it before it collected queries.
     */
    static KvCollection collection(Path dir, ModelShape shape, int sequences, long seed) {
        return write(dir, shape, sequences, seed, false);
    }

    /** The same with queries and {@link #outputProjection} as W_o of every layer, as collect-kv writes it now. */
    static KvCollection attentionCollection(Path dir, ModelShape shape, int sequences, long seed) {
        KvCollection kv = write(dir, shape, sequences, seed, true);
        float[][] wo = new float[shape.layers()][];
        for (int l = 0; l < shape.layers(); l++) {
            wo[l] = outputProjection(shape, seed + l);
        }
        kv.writeAttentionOutput(wo, shape.dim());
        return kv;
    }

    /**
     * A random W_o [dim][heads·d] whose columns reading the second half of the value channels are 30 times heavier
     * than those reading the first half: the attention-output error then weighs channels unlike the plain MSE, whose
     * largest channels (see {@link #rows}) are in the first half.
     */
    static float[] outputProjection(ModelShape shape, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int qDim = shape.queryDim();
        float[] wo = new float[shape.dim() * qDim];
        for (int r = 0; r < shape.dim(); r++) {
            for (int a = 0; a < qDim; a++) {
                int channel = a / shape.headDim() / shape.groupSize() * shape.headDim() + a % shape.headDim();
                double weight = channel >= shape.kvDim() / 2 ? 3 : 0.1;
                wo[r * qDim + a] = (float) (weight * gaussian(rnd) / Math.sqrt(qDim));
            }
        }
        return wo;
    }

    private static KvCollection write(Path dir, ModelShape shape, int sequences, long seed, boolean queries) {
        KvManifest m = new KvManifest(ModelFingerprint.of(shape, VOCAB_HASH), "synthetic.gguf",
                List.of("synthetic.txt"), "all", 16, sequences, 2, shape.layers(), shape.kvHeads(),
                shape.headDim(), queries);
        KvCollection kv = KvCollection.create(dir, m);
        for (int c = 0; c < m.chunks(); c++) {
            int tokens = m.chunkTokens(c);
            float[][] keys = new float[m.layers()][];
            float[][] values = new float[m.layers()][];
            float[][] q = queries ? new float[m.layers()][] : null;
            for (int l = 0; l < m.layers(); l++) {
                keys[l] = rows(tokens, m.kvDim(), seed + 1000L * c + 2L * l);
                values[l] = rows(tokens, m.kvDim(), seed + 1000L * c + 2L * l + 1);
                if (queries) {
                    q[l] = rows(tokens, m.queryDim(), seed + 1000L * c + 500 + l);
                }
            }
            kv.writeChunk(c, keys, values, q, new int[tokens]);
        }
        return kv;
    }
}
