package org.commvq.cache.train;

import java.util.Arrays;
import java.util.function.IntConsumer;
import org.commvq.cache.commvq.CommVqValueParameters;

/**
 * Trains one layer's CommVQ value compressor on collected values (spec §1.6), with one of two losses:
 * <ul>
 *   <li>{@link Loss#ATTENTION}: the official loss in the spec's offline "cheaper equivalent" form,
 *       ½·MSE(v̂, v) + MSE((A·V̂ − A·V)·W_oᵀ) with A the layer's frozen causal attention, per window of consecutive
 *       tokens of one sequence ({@link AttentionOutputLoss}); batches are whole windows. It needs a collection
 *       with queries and W_o.</li>
 *   <li>{@link Loss#MSE}: the spec's "cheapest variant", ½·MSE(v̂, v) alone, on batches of tokens drawn from
 *       anywhere in the collection.</li>
 * </ul>
 * λ is set first to the per-channel mean |v| (the official make_scale) and frozen; then encoder and codebook E train
 * with AdamW (β = 0.9/0.95, weight decay 0.1 on the two weight matrices, gradient norm clipped to 1), a linear
 * warm-up over the first 5 % of the steps and a cosine decay to a tenth.
 */
public final class ValueTrainer {
    private static final double WARMUP = 0.05;
    private static final double FLOOR = 0.1;
    private static final double CLIP = 1.0;

    /** What the value compressor minimizes. */
    public enum Loss { MSE, ATTENTION }

    /**
     * @param bits   value bits per channel (1 or 2)
     * @param hidden I, the encoder's hidden width (the official width is min(4096, 4·n_e))
     * @param batch  tokens per step; the attention loss takes max(1, batch/window) whole windows instead
     * @param window tokens per attention window (the attention loss only)
     */
    public record Settings(int bits, int hidden, int epochs, int batch, double learningRate, double weightDecay,
                           long seed, Loss loss, int window) {
        public Settings {
            if (bits < 1 || hidden < 1 || epochs < 0 || batch < 1 || !(learningRate > 0) || weightDecay < 0
                    || loss == null || window < 1) {
                throw new IllegalArgumentException("value training needs positive bits, hidden width, batch,"
                        + " window and learning rate, epochs >= 0, weight decay >= 0 and a loss");
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
     * @param values    [n][F] one layer's values
     * @param attention the same n tokens' attention, for {@link Loss#ATTENTION}; null for {@link Loss#MSE}
     * @param epochDone hears each finished epoch's index
     */
    public static CommVqValueParameters train(float[] values, int n, int features, Settings s,
                                              LayerAttention attention, int layer, IntConsumer epochDone) {
        if ((attention != null) != (s.loss() == Loss.ATTENTION)) {
            throw new IllegalArgumentException("the attention-output loss needs the layer's attention, and only it"
                    + " uses it");
        }
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
        // A batch is made of units: single tokens for the MSE (any mix of tokens is a fair sample), whole windows
        // for the attention term (A ties a window's tokens together).
        int[] unitStart;
        int[] unitLength;
        int perBatch;
        String purpose;
        if (attention == null) {
            unitStart = new int[n];
            Arrays.setAll(unitStart, t -> t);
            unitLength = new int[n];
            Arrays.fill(unitLength, 1);
            perBatch = s.batch();
            purpose = "value-order";
        } else {
            unitStart = attention.windowStart;
            unitLength = attention.windowLength;
            if (Arrays.stream(unitLength).sum() != n) {
                throw new IllegalArgumentException("the attention windows cover " + Arrays.stream(unitLength).sum()
                        + " tokens, the values " + n);
            }
            perBatch = Math.max(1, s.batch() / s.window());
            purpose = "value-window-order";
        }
        int units = unitStart.length;
        int maxRows = perBatch * Arrays.stream(unitLength).max().orElse(1);
        long total = (long) ((units + perBatch - 1) / perBatch) * s.epochs();
        long step = 0;
        int[] order = new int[units];
        float[] bx = new float[maxRows * features];
        float[] bpost = new float[maxRows];
        float[] bv = new float[maxRows * features];
        for (int epoch = 0; epoch < s.epochs(); epoch++) {
            Seeds.permutation(order, Seeds.random(s.seed(), purpose, layer, epoch));
            for (int from = 0; from < units; from += perBatch) {
                int count = Math.min(perBatch, units - from);
                int rows = 0;
                for (int i = 0; i < count; i++) {
                    int u = order[from + i];
                    for (int t = unitStart[u]; t < unitStart[u] + unitLength[u]; t++, rows++) {
                        System.arraycopy(x, t * features, bx, rows * features, features);
                        System.arraycopy(values, t * features, bv, rows * features, features);
                        bpost[rows] = post[t];
                    }
                }
                ValueNetwork.OutputTerm term = attention == null ? null
                        : new AttentionOutputLoss(attention, Arrays.copyOfRange(order, from, from + count));
                net.lossAndGradient(params, bx, bpost, scale, bv, rows, false, term, grad);
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
