package org.commvq.cache.commvq;

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

    static CommVqKeyCodebook randomKeys(int layers, int kvHeads, int stages, int pairs, long seed) {
        return CommVqSyntheticCodebooks.keys(layers, kvHeads, stages, pairs, seed);
    }

    static CommVqValueParameters randomValueParameters(int featureDim, int bits, long seed) {
        return CommVqSyntheticCodebooks.valueParameters(featureDim, bits, seed);
    }

    public static CommVqCodebooks codebooks(ModelShape shape, int stages, int bits, long seed) {
        return CommVqSyntheticCodebooks.create(shape, stages, bits, seed);
    }

    static float[] gaussians(SplittableRandom random, int n, double sigma) {
        return CommVqSyntheticCodebooks.gaussians(random, n, sigma);
    }

    static double gaussian(SplittableRandom random) {
        return CommVqSyntheticCodebooks.gaussian(random);
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
