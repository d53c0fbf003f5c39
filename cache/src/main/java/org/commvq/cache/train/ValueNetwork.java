package org.commvq.cache.train;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.commvq.cache.Workers;
import org.commvq.cache.commvq.CommVqValueParameters;

/**
 * The CommVQ value compressor of one layer as a trainable function (spec §1.5) with a hand-derived backward pass:
 * <pre>
 *   xn = LayerNorm(x)·g + β      x = u/(‖u‖+eps), u = v/(λ+eps)   (x is fixed data: λ is frozen)
 *   h = W1·xn + b1;  a = GELU(h);  z = W2·a + b2          as [n_e][4] groups
 *   o_j = one-hot argmax z_j (hard forward) — or softmax z_j (soft forward, for gradient checks)
 *   bits (2j, 2j+1) = o_j0·(1,0) + o_j1·(0,1) + o_j2·(1,1)
 *   y = bits·E;  v̂ = y/(‖y‖+eps)·(‖u‖+eps)·(λ+eps);   loss = ½·mean (v̂ − v)² [+ an {@link OutputTerm} on v̂]
 * </pre>
 * Backward through the choice is straight-through: the gradient of the softmax, dz = q ⊙ (do − ⟨q, do⟩), also when
 * the forward was hard (the official training's Gumbel straight-through, without the noise).
 *
 * <p>Parameters live in one flat array, W1 [I][F] and W2 [O][I] first (the part weight decay applies to), then
 * LayerNorm weight and bias, b1, b2 and E [K][F] (K = F·bits code bits, O = 2K logits). Every product is built
 * from {@link Lanes#axpy} rows and every sum runs in token order, so a gradient is the same on any thread count.
 */
final class ValueNetwork {
    static final float EPS = 1e-6f;
    private static final float LAYER_NORM_EPS = 1e-5f;

    final int features;
    final int hidden;
    final int codeBits;
    final int logits;
    final int w1;
    final int w2;
    final int normWeight;
    final int normBias;
    final int b1;
    final int b2;
    final int embedding;
    final int size;

    ValueNetwork(int features, int hidden, int codeBits) {
        if (features < 1 || hidden < 1 || codeBits < 2 || codeBits % 2 != 0) {
            throw new IllegalArgumentException("value network needs positive widths and an even code width, got F="
                    + features + ", I=" + hidden + ", K=" + codeBits);
        }
        this.features = features;
        this.hidden = hidden;
        this.codeBits = codeBits;
        this.logits = 2 * codeBits;
        this.w1 = 0;
        this.w2 = w1 + hidden * features;
        this.normWeight = w2 + logits * hidden;
        this.normBias = normWeight + features;
        this.b1 = normBias + features;
        this.b2 = b1 + hidden;
        this.embedding = b2 + logits;
        this.size = embedding + codeBits * features;
    }

    /** Where weight decay ends: W1 and W2 only. */
    int decayEnd() {
        return normWeight;
    }

    /** PyTorch's defaults: Linear U(±1/√fan_in) for weight and bias, LayerNorm (1, 0), E ~ N(0, 1). */
    float[] initial(SplittableRandom rnd) {
        float[] p = new float[size];
        uniform(p, w1, hidden * features, 1 / Math.sqrt(features), rnd);
        uniform(p, b1, hidden, 1 / Math.sqrt(features), rnd);
        uniform(p, w2, logits * hidden, 1 / Math.sqrt(hidden), rnd);
        uniform(p, b2, logits, 1 / Math.sqrt(hidden), rnd);
        Arrays.fill(p, normWeight, normWeight + features, 1f);
        for (int i = embedding; i < size; i++) {
            p[i] = (float) gaussian(rnd);
        }
        return p;
    }

    /** The official tensors, with λ. */
    CommVqValueParameters parameters(float[] p, float[] scale) {
        return new CommVqValueParameters(slice(p, embedding, codeBits * features), slice(p, normWeight, features),
                slice(p, normBias, features), slice(p, w1, hidden * features), slice(p, b1, hidden),
                slice(p, w2, logits * hidden), slice(p, b2, logits), scale.clone());
    }

    /** A loss term on the decoded values beside ½·MSE, e.g. the attention-output error. */
    interface OutputTerm {
        /** Adds ∂term/∂v̂ to dv and returns the term; v̂, v and dv are [B][F]. */
        double addGradient(float[] vhat, float[] target, float[] dv);
    }

    /**
     * One batch: writes ∂loss/∂params to grad (overwritten) and returns ½·mean (v̂ − v)² plus {@code extra}'s term.
     *
     * @param x      [B][F] the normalized inputs u/(‖u‖+eps)
     * @param post   [B] ‖u‖+eps
     * @param scale  [F] λ+eps
     * @param target [B][F] v
     * @param extra  a further term on v̂, or null
     */
    double lossAndGradient(float[] p, float[] x, float[] post, float[] scale, float[] target, int batch, boolean soft,
                           OutputTerm extra, float[] grad) {
        Pass f = forward(p, x, post, scale, batch, soft);
        float[] dv = new float[batch * features];
        double loss = halfMse(f.vhat, target, batch, dv);
        if (extra != null) {
            loss += extra.addGradient(f.vhat, target, dv);
        }
        backward(p, f, post, scale, dv, grad);
        return loss;
    }

    /** The forward pass's kept activations. */
    private final class Pass {
        final int batch;
        final float[] xhat;
        final float[] rstd;
        final float[] xn;
        final float[] h;
        final float[] a;
        final float[] q;
        final float[] bits;
        final float[] y;
        final double[] norm;
        final float[] vhat;

        Pass(int batch) {
            this.batch = batch;
            xhat = new float[batch * features];
            rstd = new float[batch];
            xn = new float[batch * features];
            h = new float[batch * hidden];
            a = new float[batch * hidden];
            q = new float[batch * logits];
            bits = new float[batch * codeBits];
            y = new float[batch * features];
            norm = new double[batch];
            vhat = new float[batch * features];
        }
    }

    private Pass forward(float[] p, float[] x, float[] post, float[] scale, int batch, boolean soft) {
        Pass f = new Pass(batch);
        float[] w1t = Lanes.transpose(slice(p, w1, hidden * features), hidden, features);
        float[] w2t = Lanes.transpose(slice(p, w2, logits * hidden), logits, hidden);
        Workers.parallelFor(batch, 8, t -> {
            layerNorm(p, x, t, f);
            int hOff = t * hidden;
            System.arraycopy(p, b1, f.h, hOff, hidden);
            for (int i = 0; i < features; i++) {
                Lanes.axpy(f.xn[t * features + i], w1t, i * hidden, f.h, hOff, hidden);
            }
            for (int k = 0; k < hidden; k++) {
                f.a[hOff + k] = Gelu.value(f.h[hOff + k]);
            }
            float[] z = new float[logits];
            System.arraycopy(p, b2, z, 0, logits);
            for (int k = 0; k < hidden; k++) {
                Lanes.axpy(f.a[hOff + k], w2t, k * logits, z, 0, logits);
            }
            choose(z, t, soft, f, new double[4]);
            int yOff = t * features;
            for (int j = 0; j < codeBits; j++) {
                float b = f.bits[t * codeBits + j];
                if (b != 0) {
                    Lanes.axpy(b, p, embedding + j * features, f.y, yOff, features);
                }
            }
            double sq = 0;
            for (int i = 0; i < features; i++) {
                sq += (double) f.y[yOff + i] * f.y[yOff + i];
            }
            f.norm[t] = Math.sqrt(sq);
            float k = (float) (post[t] / (f.norm[t] + EPS));
            for (int i = 0; i < features; i++) {
                f.vhat[yOff + i] = k * f.y[yOff + i] * scale[i];
            }
        });
        return f;
    }

    private void layerNorm(float[] p, float[] x, int t, Pass f) {
        int off = t * features;
        double mean = 0;
        for (int i = 0; i < features; i++) {
            mean += x[off + i];
        }
        mean /= features;
        double var = 0;
        for (int i = 0; i < features; i++) {
            double c = x[off + i] - mean;
            var += c * c;
        }
        var /= features;
        float rstd = (float) (1 / Math.sqrt(var + LAYER_NORM_EPS));
        f.rstd[t] = rstd;
        for (int i = 0; i < features; i++) {
            float xh = (float) (x[off + i] - mean) * rstd;
            f.xhat[off + i] = xh;
            f.xn[off + i] = xh * p[normWeight + i] + p[normBias + i];
        }
    }

    /** Softmax of each 4-group into q; bits from the argmax (first maximum) or, soft, from q itself. */
    private void choose(float[] z, int t, boolean soft, Pass f, double[] e) {
        int qOff = t * logits;
        int bOff = t * codeBits;
        for (int g = 0; g < codeBits / 2; g++) {
            int base = 4 * g;
            int best = 0;
            float max = z[base];
            for (int k = 1; k < 4; k++) {
                if (z[base + k] > max) {
                    max = z[base + k];
                    best = k;
                }
            }
            double sum = 0;
            for (int k = 0; k < 4; k++) {
                e[k] = Math.exp(z[base + k] - max);
                sum += e[k];
            }
            for (int k = 0; k < 4; k++) {
                f.q[qOff + base + k] = (float) (e[k] / sum);
            }
            float o0;
            float o1;
            float o2;
            if (soft) {
                o0 = f.q[qOff + base];
                o1 = f.q[qOff + base + 1];
                o2 = f.q[qOff + base + 2];
            } else {
                o0 = best == 0 ? 1 : 0;
                o1 = best == 1 ? 1 : 0;
                o2 = best == 2 ? 1 : 0;
            }
            f.bits[bOff + 2 * g] = o0 + o2;
            f.bits[bOff + 2 * g + 1] = o1 + o2;
        }
    }

    /** Writes ∂(½·mean (v̂ − v)²)/∂v̂ to dv and returns the term. */
    private double halfMse(float[] vhat, float[] target, int batch, float[] dv) {
        double count = (double) batch * features;
        double[] lossPart = new double[batch];
        Workers.parallelFor(batch, 8, t -> {
            int off = t * features;
            double loss = 0;
            for (int i = 0; i < features; i++) {
                double diff = vhat[off + i] - target[off + i];
                loss += diff * diff;
                dv[off + i] = (float) (diff / count);
            }
            lossPart[t] = loss;
        });
        double loss = 0;
        for (double l : lossPart) {
            loss += l;
        }
        return 0.5 * loss / count;
    }

    /** ∂loss/∂params into grad (overwritten), from dv = ∂loss/∂v̂. */
    private void backward(float[] p, Pass f, float[] post, float[] scale, float[] dv, float[] grad) {
        int batch = f.batch;
        float[] dy = new float[batch * features];
        Workers.parallelFor(batch, 8, t -> {
            int off = t * features;
            double inner = 0;
            for (int i = 0; i < features; i++) {
                inner += (double) scale[i] * dv[off + i] * f.y[off + i];
            }
            double r = f.norm[t] + EPS;
            double k = post[t] / r;
            double radial = f.norm[t] > 0 ? post[t] * inner / (r * r * f.norm[t]) : 0;
            for (int i = 0; i < features; i++) {
                dy[off + i] = (float) (k * scale[i] * dv[off + i] - radial * f.y[off + i]);
            }
        });
        Arrays.fill(grad, 0f);
        Workers.parallelFor(codeBits, 4, j -> {
            int dst = embedding + j * features;
            for (int t = 0; t < batch; t++) {
                float b = f.bits[t * codeBits + j];
                if (b != 0) {
                    Lanes.axpy(b, dy, t * features, grad, dst, features);
                }
            }
        });
        float[] embeddingT = Lanes.transpose(slice(p, embedding, codeBits * features), codeBits, features);
        float[] dz = new float[batch * logits];
        Workers.parallelFor(batch, 8, t -> {
            float[] db = new float[codeBits];
            for (int i = 0; i < features; i++) {
                Lanes.axpy(dy[t * features + i], embeddingT, i * codeBits, db, 0, codeBits);
            }
            int qOff = t * logits;
            for (int g = 0; g < codeBits / 2; g++) {
                float d0 = db[2 * g];
                float d1 = db[2 * g + 1];
                float d2 = d0 + d1;
                int base = qOff + 4 * g;
                float mean = f.q[base] * d0 + f.q[base + 1] * d1 + f.q[base + 2] * d2;
                dz[base] = f.q[base] * (d0 - mean);
                dz[base + 1] = f.q[base + 1] * (d1 - mean);
                dz[base + 2] = f.q[base + 2] * (d2 - mean);
                dz[base + 3] = f.q[base + 3] * -mean;
            }
        });
        Workers.parallelFor(logits, 8, o -> {
            double bias = 0;
            for (int t = 0; t < batch; t++) {
                float d = dz[t * logits + o];
                if (d != 0) {
                    Lanes.axpy(d, f.a, t * hidden, grad, w2 + o * hidden, hidden);
                    bias += d;
                }
            }
            grad[b2 + o] = (float) bias;
        });
        float[] dh = new float[batch * hidden];
        Workers.parallelFor(batch, 8, t -> {
            int hOff = t * hidden;
            for (int o = 0; o < logits; o++) {
                float d = dz[t * logits + o];
                if (d != 0) {
                    Lanes.axpy(d, p, w2 + o * hidden, dh, hOff, hidden);
                }
            }
            for (int k = 0; k < hidden; k++) {
                dh[hOff + k] *= Gelu.derivative(f.h[hOff + k]);
            }
        });
        Workers.parallelFor(hidden, 4, i -> {
            double bias = 0;
            for (int t = 0; t < batch; t++) {
                float d = dh[t * hidden + i];
                Lanes.axpy(d, f.xn, t * features, grad, w1 + i * features, features);
                bias += d;
            }
            grad[b1 + i] = (float) bias;
        });
        float[] dxn = new float[batch * features];
        Workers.parallelFor(batch, 8, t -> {
            for (int i = 0; i < hidden; i++) {
                Lanes.axpy(dh[t * hidden + i], p, w1 + i * features, dxn, t * features, features);
            }
        });
        for (int i = 0; i < features; i++) {
            double gw = 0;
            double gb = 0;
            for (int t = 0; t < batch; t++) {
                gw += (double) dxn[t * features + i] * f.xhat[t * features + i];
                gb += dxn[t * features + i];
            }
            grad[normWeight + i] = (float) gw;
            grad[normBias + i] = (float) gb;
        }
    }

    private static float[] slice(float[] p, int from, int length) {
        return Arrays.copyOfRange(p, from, from + length);
    }

    private static void uniform(float[] p, int from, int length, double bound, SplittableRandom rnd) {
        for (int i = from; i < from + length; i++) {
            p[i] = (float) ((2 * rnd.nextDouble() - 1) * bound);
        }
    }

    /** A standard normal draw by Box–Muller (SplittableRandom has no nextGaussian of its own on every JDK path). */
    private static double gaussian(SplittableRandom rnd) {
        double u = 1 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
