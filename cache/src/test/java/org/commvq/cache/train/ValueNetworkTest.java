package org.commvq.cache.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.commvq.cache.ModelShape;
import org.commvq.cache.codebook.ModelFingerprint;
import org.commvq.cache.commvq.CommVqValueCodec;
import org.commvq.cache.commvq.CommVqValueParameters;
import org.junit.jupiter.api.Test;

class ValueNetworkTest {

    /**
     * The hand-derived backward pass against central finite differences, on the soft forward (where the
     * straight-through gradient is the true gradient), for every parameter of a tiny network.
     */
    @Test
    void gradientMatchesFiniteDifferences() {
        checkGradient(5, null);
    }

    /** The same with the attention-output term on a batch of two whole windows (a sequence of 5 tokens each). */
    @Test
    void gradientWithTheAttentionTermMatchesFiniteDifferences() {
        ModelShape shape = TrainFixtures.shape(1, 2, 4);
        KvManifest m = new KvManifest(ModelFingerprint.of(shape, TrainFixtures.VOCAB_HASH), "synthetic.gguf",
                List.of("synthetic.txt"), "all", 5, 2, 1, 1, shape.kvHeads(), shape.headDim(), true);
        LayerAttention attention = LayerAttention.of(m, TrainFixtures.rows(10, shape.queryDim(), 1),
                TrainFixtures.rows(10, shape.kvDim(), 2), TrainFixtures.rows(6, shape.queryDim(), 3), 5);
        checkGradient(10, new AttentionOutputLoss(attention, new int[] {1, 0}));
    }

    private static void checkGradient(int batch, ValueNetwork.OutputTerm term) {
        int f = 8;
        ValueNetwork net = new ValueNetwork(f, 6, 8);
        SplittableRandom rnd = new SplittableRandom(4);
        float[] p = net.initial(rnd);
        float[] x = new float[batch * f];
        float[] target = new float[batch * f];
        float[] post = new float[batch];
        float[] scale = new float[f];
        for (int i = 0; i < f; i++) {
            scale[i] = (float) (0.5 + rnd.nextDouble());
        }
        for (int t = 0; t < batch; t++) {
            post[t] = (float) (1 + rnd.nextDouble());
            for (int i = 0; i < f; i++) {
                x[t * f + i] = (float) rnd.nextGaussian();
                target[t * f + i] = (float) rnd.nextGaussian();
            }
        }
        float[] grad = new float[net.size];
        net.lossAndGradient(p, x, post, scale, target, batch, true, term, grad);
        float[] scratch = new float[net.size];
        double largest = 0;
        for (float g : grad) {
            largest = Math.max(largest, Math.abs(g));
        }
        for (int i = 0; i < net.size; i++) {
            float keep = p[i];
            float h = 1e-2f * Math.max(1f, Math.abs(keep));
            p[i] = keep + h;
            double up = net.lossAndGradient(p, x, post, scale, target, batch, true, term, scratch);
            p[i] = keep - h;
            double down = net.lossAndGradient(p, x, post, scale, target, batch, true, term, scratch);
            p[i] = keep;
            double numeric = (up - down) / ((double) (keep + h) - (double) (keep - h));
            assertEquals(numeric, grad[i], 2e-2 * Math.abs(numeric) + 2e-3 * largest, "parameter " + i);
        }
    }

    /** A trained encoder must at least halve the error of an untrained one (same data, same seed). */
    @Test
    void trainingBeatsTheUntrainedEncoder() {
        int f = 32;
        int n = 2000;
        float[] v = TrainFixtures.rows(n, f, 21);
        double untrained = error(v, n, f, 0);
        double trained = error(v, n, f, 30);
        assertTrue(trained < 0.5 * untrained, "trained " + trained + " vs untrained " + untrained);
    }

    private static double error(float[] v, int n, int f, int epochs) {
        CommVqValueParameters p = ValueTrainer.train(v, n, f, new ValueTrainer.Settings(1, 32, epochs, 128, 1e-2,
                0.1, 8, ValueTrainer.Loss.MSE, 1), null, 0, e -> { });
        return Reconstruction.values(new CommVqValueCodec(p), v);
    }
}
