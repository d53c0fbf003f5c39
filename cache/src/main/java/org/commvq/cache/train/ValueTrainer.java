package org.commvq.cache.train;

import java.util.function.IntConsumer;
import org.commvq.cache.commvq.CommVqValueParameters;

/**
 * Trains one layer's CommVQ value compressor on collected values (spec §1.6, its "cheapest variant": the
 * reconstruction term ½·MSE(v̂, v) on stored V vectors; the attention-output term would need queries and W_o, which
 * a KV collection does not hold). λ is set first to the per-channel mean |v| (the official make_scale) and frozen;
 * then encoder and codebook E train with AdamW (β = 0.9/0.95, weight decay 0.1 on the two weight matrices, gradient
 * norm clipped to 1), a linear warm-up over the first 5 % of the steps and a cosine decay to a tenth.
 */
public final class ValueTrainer {
    private static final double WARMUP = 0.05;
    private static final double FLOOR = 0.1;
    private static final double CLIP = 1.0;

    /**
     * @param bits   value bits per channel (1 or 2)
     * @param hidden I, the encoder's hidden width (the official width is min(4096, 4·n_e))
     */
    public record Settings(int bits, int hidden, int epochs, int batch, double learningRate, double weightDecay,
                           long seed) {
        public Settings {
            if (bits < 1 || hidden < 1 || epochs < 0 || batch < 1 || !(learningRate > 0) || weightDecay < 0) {
                throw new IllegalArgumentException("value training needs positive bits, hidden width, batch and"
                        + " learning rate, epochs >= 0 and weight decay >= 0");
            }
        }

        /** The official hidden width for F features: min(4096, 4·n_e) with n_e = F·bits/2. */
        public static int officialHidden(int features, int bits) {
            return Math.min(4096, 2 * features * bits);
        }
    }

    private ValueTrainer() {
    }

    /**
     * @param values [n][F] one layer's values
     * @param epochDone hears each finished epoch's index
     */
    public static CommVqValueParameters train(float[] values, int n, int features, Settings s, int layer,
                                              IntConsumer epochDone) {
        ValueNetwork net = new ValueNetwork(features, s.hidden(), features * s.bits());
        float[] lambda = meanAbs(values, n, features);
        float[] scale = new float[features];
        for (int i = 0; i < features; i++) {
            scale[i] = lambda[i] + ValueNetwork.EPS;
        }
        float[] x = new float[n * features];
        float[] post = new float[n];
        for (int t = 0; t < n; t++) {
            post[t] = normalize(values, t * features, scale, x) + ValueNetwork.EPS;
        }
        float[] params = net.initial(Seeds.random(s.seed(), "value-init", layer));
        Adam adam = new Adam(net.size, 0.9, 0.95, 1e-8);
        float[] grad = new float[net.size];
        int batches = (n + s.batch() - 1) / s.batch();
        long total = (long) batches * s.epochs();
        long step = 0;
        int[] order = new int[n];
        float[] bx = new float[s.batch() * features];
        float[] bpost = new float[s.batch()];
        float[] bv = new float[s.batch() * features];
        for (int epoch = 0; epoch < s.epochs(); epoch++) {
            Seeds.permutation(order, Seeds.random(s.seed(), "value-order", layer, epoch));
            for (int from = 0; from < n; from += s.batch()) {
                int count = Math.min(s.batch(), n - from);
                for (int i = 0; i < count; i++) {
                    int t = order[from + i];
                    System.arraycopy(x, t * features, bx, i * features, features);
                    System.arraycopy(values, t * features, bv, i * features, features);
                    bpost[i] = post[t];
                }
                net.lossAndGradient(params, bx, bpost, scale, bv, count, false, grad);
                clip(grad);
                adam.step(params, grad, s.learningRate() * schedule(step++, total), s.weightDecay(), net.decayEnd());
            }
            epochDone.accept(epoch);
        }
        return net.parameters(params, lambda);
    }

    /** λ_i = mean_n |v_{n,i}|. */
    static float[] meanAbs(float[] values, int n, int features) {
        double[] sum = new double[features];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < features; i++) {
                sum[i] += Math.abs(values[t * features + i]);
            }
        }
        float[] out = new float[features];
        for (int i = 0; i < features; i++) {
            out[i] = (float) (sum[i] / Math.max(1, n));
        }
        return out;
    }

    /** x[off..] = u/(‖u‖+eps) with u = v/(λ+eps), exactly as the codec computes it; returns ‖u‖. */
    private static float normalize(float[] values, int off, float[] scale, float[] x) {
        int features = scale.length;
        double sq = 0;
        for (int i = 0; i < features; i++) {
            float u = values[off + i] / scale[i];
            x[off + i] = u;
            sq += (double) u * u;
        }
        float p = (float) Math.sqrt(sq);
        float divisor = p + ValueNetwork.EPS;
        for (int i = 0; i < features; i++) {
            x[off + i] /= divisor;
        }
        return p;
    }

    /** Learning-rate factor: linear warm-up, then cosine down to {@value #FLOOR}. */
    static double schedule(long step, long total) {
        long warm = Math.max(1, (long) Math.ceil(WARMUP * total));
        if (step < warm) {
            return (step + 1.0) / warm;
        }
        double progress = (double) (step - warm) / Math.max(1, total - warm);
        return FLOOR + (1 - FLOOR) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
    }

    private static void clip(float[] grad) {
        double sq = 0;
        for (float g : grad) {
            sq += (double) g * g;
        }
        double norm = Math.sqrt(sq);
        if (norm > CLIP) {
            float k = (float) (CLIP / norm);
            for (int i = 0; i < grad.length; i++) {
                grad[i] *= k;
            }
        }
    }
}
