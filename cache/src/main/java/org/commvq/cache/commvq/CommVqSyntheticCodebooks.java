package org.commvq.cache.commvq;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.commvq.cache.ModelShape;

/**
 * Seeded random CommVQ codebooks of realistic scale for a model shape that has no trained ones: tests, and speed
 * and memory measurements of shapes whose real codebooks are not available here (e.g. LLaMA-3.1-8B). Attention on
 * them costs what it costs on trained codebooks; what they compress to is not meaningful.
 */
public final class CommVqSyntheticCodebooks {
    private CommVqSyntheticCodebooks() {
    }

    /**
     * θ ~ N(0, σ_r²) with σ_0 chosen so that a stage-0 codeword of one head has about the norm of that head's slice
     * of a unit F-vector (1/√H), and each later stage 0.7 times smaller, like residual codebooks.
     */
    public static CommVqKeyCodebook keys(int layers, int kvHeads, int stages, int pairs, long seed) {
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

    public static CommVqValueParameters valueParameters(int featureDim, int bits, long seed) {
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

    /** Codebooks for every layer of a shape; the value codec of layer l is seeded with seed·31 + l. */
    public static CommVqCodebooks create(ModelShape shape, int stages, int bits, long seed) {
        CommVqKeyCodebook keys = keys(shape.layers(), shape.kvHeads(), stages, shape.headDim() / 2, seed);
        List<CommVqValueCodec> values = new ArrayList<>();
        for (int l = 0; l < shape.layers(); l++) {
            values.add(new CommVqValueCodec(valueParameters(shape.kvDim(), bits, seed * 31 + l)));
        }
        return new CommVqCodebooks(keys, values);
    }

    public static float[] gaussians(SplittableRandom random, int n, double sigma) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (gaussian(random) * sigma);
        }
        return out;
    }

    public static double gaussian(SplittableRandom random) {
        double u = 1.0 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

}
