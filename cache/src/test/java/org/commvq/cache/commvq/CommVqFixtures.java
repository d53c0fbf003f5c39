package org.commvq.cache.commvq;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;

/** Random but realistically scaled CommVQ codebooks, value codecs and model shapes for tests. */
public final class CommVqFixtures {
    static final RopeParameters LLAMA31 = RopeParameters.llama3(500000, 8, 1, 4, 8192);

    private CommVqFixtures() {
    }

    static ModelShape shape(int layers, int heads, int kvHeads, int headDim) {
        return new ModelShape(layers, heads * headDim, heads, kvHeads, headDim, 4 * heads * headDim, 1000, 131072,
                1e-5f, LLAMA31);
    }

    /**
     * θ ~ N(0, σ_r²) with σ_0 chosen so that a stage-0 codeword of one head has about the norm of that head's slice
     * of a unit F-vector (1/√H), and each later stage 0.7 times smaller, like residual codebooks.
     */
    static CommVqKeyCodebook randomKeys(int layers, int kvHeads, int stages, int pairs, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] theta = new float[layers][kvHeads * stages * pairs * 128];
        double sigma0 = 1.0 / (Math.sqrt(4.0 * pairs) * Math.sqrt(kvHeads));
        for (float[] layer : theta) {
            for (int h = 0; h < kvHeads; h++) {
                for (int r = 0; r < stages; r++) {
                    double sigma = sigma0 * Math.pow(0.7, r);
                    int off = (h * stages + r) * pairs * 128;
                    for (int i = 0; i < pairs * 128; i++) {
                        layer[off + i] = (float) (gaussian(random) * sigma);
                    }
                }
            }
        }
        return new CommVqKeyCodebook(kvHeads, stages, pairs, theta);
    }

    static CommVqValueParameters randomValueParameters(int featureDim, int bits, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int codeBits = featureDim * bits;
        int logits = 2 * codeBits;
        int hidden = logits == 6144 ? logits : Math.min(4096, logits);
        float[] scale = new float[featureDim];
        for (int i = 0; i < featureDim; i++) {
            scale[i] = (float) (0.5 + random.nextDouble());
        }
        float[] normWeight = new float[featureDim];
        float[] normBias = new float[featureDim];
        for (int i = 0; i < featureDim; i++) {
            normWeight[i] = (float) (1 + 0.1 * gaussian(random));
            normBias[i] = (float) (0.05 * gaussian(random));
        }
        return new CommVqValueParameters(gaussians(random, codeBits * featureDim, 1.0 / Math.sqrt(codeBits)),
                normWeight, normBias, gaussians(random, hidden * featureDim, 1.0 / Math.sqrt(featureDim)),
                gaussians(random, hidden, 0.1), gaussians(random, logits * hidden, 1.0 / Math.sqrt(hidden)),
                gaussians(random, logits, 0.1), scale);
    }

    public static CommVqCodebooks codebooks(ModelShape shape, int stages, int bits, long seed) {
        CommVqKeyCodebook keys = randomKeys(shape.layers(), shape.kvHeads(), stages, shape.headDim() / 2, seed);
        List<CommVqValueCodec> values = new ArrayList<>();
        for (int l = 0; l < shape.layers(); l++) {
            values.add(new CommVqValueCodec(randomValueParameters(shape.kvDim(), bits, seed * 31 + l)));
        }
        return new CommVqCodebooks(keys, values);
    }

    static float[] gaussians(SplittableRandom random, int n, double sigma) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (gaussian(random) * sigma);
        }
        return out;
    }

    static double gaussian(SplittableRandom random) {
        double u = 1.0 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** A store of one layer whose every token has random codes, norms, value bits and scales. */
    static CommVqLayerStore randomStore(ModelShape shape, int stages, int valueBytes, int blocks, long seed) {
        CommVqLayerStore store = new CommVqLayerStore(shape.kvHeads(), stages, shape.kvDim(), valueBytes);
        appendRandomBlocks(store, shape.kvHeads(), stages, valueBytes, blocks, seed);
        return store;
    }

    static void appendRandomBlocks(CommVqLayerStore store, int kvHeads, int stages, int valueBytes, int blocks,
                                   long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int block = CommVqLayerStore.BLOCK;
        int[] codes = new int[block * kvHeads * stages];
        float[] norms = new float[block];
        byte[] packed = new byte[block * valueBytes];
        float[] sigmas = new float[block];
        for (int b = 0; b < blocks; b++) {
            for (int i = 0; i < codes.length; i++) {
                codes[i] = random.nextInt(CommVqKeyCodebook.CODES);
            }
            for (int t = 0; t < block; t++) {
                norms[t] = (float) (1 + 20 * random.nextDouble());
                sigmas[t] = (float) (0.5 + random.nextDouble());
            }
            for (int i = 0; i < packed.length; i++) {
                packed[i] = (byte) random.nextInt(256);
            }
            store.appendBlock(codes, norms, packed, sigmas);
        }
    }
}
