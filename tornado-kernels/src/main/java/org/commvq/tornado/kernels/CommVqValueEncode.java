package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Encodes a full tail of 128 value vectors into one compressed block of CommVQ value bits and scales σ (spec §1.5),
 * the device twin of {@code org.commvq.cache.commvq.CommVqValueCodec.encode}. Like {@link CommVqKeyEncode} it runs
 * only in the decode step whose position is a positive multiple of 128; at every other step every thread returns.
 *
 * <p>One work-group per tail slot t (ctx.groupIdx = t):
 * <pre>
 *   u = v/(λ+eps);  p = ‖u‖;  u /= (p+eps);  x = LayerNorm(u)     double sums (one tree each), x in local memory
 *   h[k] = GELU(enc1Bias[k] + Σ_i enc1T[i][k]·x[i])                thread k: reads enc1T[i·hidden + k], coalesced
 *   group g: the 4 logits outBias[4g+m] + Σ_k outT[k][4g+m]·h[k]    thread g: 4 neighbouring columns per row
 *   k_g = first argmax;  bit pair (2g, 2g+1) = category bits of k_g (0→01, 1→10, 2→11, 3→00, bit 2g lowest)
 *   y = bits·E;  σ = (p+eps)/(‖y‖+eps)                              thread i: column i of E, rows in order
 * </pre>
 * The dot products are fma chains over the input in order, as the CPU's linear(): written {@code a += w·x}, which
 * TornadoVM's OpenCL backend emits as fma (tornado.enable.fma, on by default; Math.fma itself does not compile). So
 * the bits agree except where the device rounds differently (the double sums' order, OpenCL relaxed math, and the fma
 * TornadoVM also makes of LayerNorm's affine step) and two logits of a group are within rounding of each other: on
 * PoCL every bit of the tests agrees. The bytes' write loop is kept free of branches so that TornadoVM's dataflow
 * analysis sees blockBits as READ_WRITE (see {@link CommVqKeyEncode}). Packed bytes go out one thread per byte (LSB
 * first), σ from thread 0.
 *
 * <p>Inputs: tailValues [128][F] fp32; normWeight, normBias [F]; enc1T [F][hidden] and enc1Bias [hidden]; outT
 * [hidden][2·codeBits] and outBias [2·codeBits]; embedding E [codeBits][F]; scalePlusEps λ+eps [F] (the
 * CommVqValueCodec's *Copy() arrays). Outputs: blockBits [128][codeBits/8], the block's bits a token per row, which
 * {@link CommVqAttention#valueChunks} moves into the cache's 32-token words in the same step; sigmas [capacity], of
 * which only block p/128 − 1 is written. Launch: global 128 × group size, local group size, a power of two up to
 * {@link GroupReduce#MAX_GROUP}. Local memory: {@link #LOCAL_BYTES} (26 KB) per work-group.
 */
public final class CommVqValueEncode {
    /** Largest F (value width over all KV heads): LLaMA-3.1-8B's 1024. */
    public static final int MAX_FEATURE_DIM = 1024;
    /** Largest hidden width of the encoder. */
    public static final int MAX_HIDDEN_DIM = 4096;
    /** Largest F·bits. */
    public static final int MAX_CODE_BITS = 2048;
    /** Local memory one work-group uses, in bytes: x, the hidden layer, the bit pairs and a double reduction. */
    public static final int LOCAL_BYTES = 4 * MAX_FEATURE_DIM + 4 * MAX_HIDDEN_DIM + 4 * (MAX_CODE_BITS / 2)
            + 8 * GroupReduce.MAX_GROUP;

    /** CommVqValueCodec.EPS. */
    private static final float EPS = 1e-6f;
    /** torch.nn.LayerNorm's eps as the CPU codec has it: the float 1e-5f, widened. */
    private static final double LAYER_NORM_EPS = 9.999999747378752E-6;
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double INV_SQRT_PI = 0.5641895835477563;
    private static final double INV_SQRT2 = 0.7071067811865475;
    private static final double SERIES_LIMIT = 2.5;
    private static final int FRACTION_TERMS = 60;

    private CommVqValueEncode() {
    }

    /** Throws IllegalArgumentException when a shape exceeds what the kernel's local arrays hold. */
    public static void check(int featureDim, int hiddenDim, int codeBits) {
        if (featureDim < 1 || featureDim > MAX_FEATURE_DIM) {
            throw new IllegalArgumentException("CommVQ value encoder: featureDim " + featureDim + " is outside 1.."
                    + MAX_FEATURE_DIM + " (MAX_FEATURE_DIM)");
        }
        if (hiddenDim < 1 || hiddenDim > MAX_HIDDEN_DIM) {
            throw new IllegalArgumentException("CommVQ value encoder: hiddenDim " + hiddenDim + " is outside 1.."
                    + MAX_HIDDEN_DIM + " (MAX_HIDDEN_DIM)");
        }
        if (codeBits < 8 || codeBits > MAX_CODE_BITS || codeBits % 8 != 0) {
            throw new IllegalArgumentException("CommVQ value encoder: codeBits " + codeBits
                    + " is not a multiple of 8 from 8 to " + MAX_CODE_BITS + " (MAX_CODE_BITS)");
        }
    }

    public static void encode(KernelContext ctx, FloatArray tailValues, FloatArray normWeight, FloatArray normBias,
                              FloatArray enc1T, FloatArray enc1Bias, FloatArray outT, FloatArray outBias,
                              FloatArray embedding, FloatArray scalePlusEps, ByteArray blockBits,
                              FloatArray sigmas, IntArray position, int featureDim, int hiddenDim, int codeBits) {
        int block = CommVqDeviceLayout.blockToEncode(position);
        if (block < 0) {
            return;
        }
        int t = ctx.groupIdx;
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        int valueBase = t * featureDim;

        float[] x = ctx.allocateFloatLocalArray(MAX_FEATURE_DIM);
        float[] hidden = ctx.allocateFloatLocalArray(MAX_HIDDEN_DIM);
        int[] pairBits = ctx.allocateIntLocalArray(MAX_CODE_BITS / 2);
        double[] partial = ctx.allocateDoubleLocalArray(GroupReduce.MAX_GROUP);

        // u = v/(λ+eps), p = ‖u‖.
        double sq = 0.0;
        for (int i = tid; i < featureDim; i += size) {
            float u = tailValues.get(valueBase + i) / scalePlusEps.get(i);
            x[i] = u;
            double w = u;
            sq += w * w;
        }
        float p = (float) TornadoMath.sqrt(sumGroup(ctx, partial, sq));
        float divisor = p + EPS;

        // u /= (p+eps); LayerNorm's mean and (biased) variance in double, as the CPU codec.
        double sum = 0.0;
        for (int i = tid; i < featureDim; i += size) {
            float u = x[i] / divisor;
            x[i] = u;
            sum += u;
        }
        double mean = sumGroup(ctx, partial, sum) / featureDim;
        double centred = 0.0;
        for (int i = tid; i < featureDim; i += size) {
            double c = x[i] - mean;
            centred += c * c;
        }
        double variance = sumGroup(ctx, partial, centred) / featureDim;
        float rstd = (float) (1.0 / TornadoMath.sqrt(variance + LAYER_NORM_EPS));
        float m = (float) mean;
        for (int i = tid; i < featureDim; i += size) {
            x[i] = (x[i] - m) * rstd * normWeight.get(i) + normBias.get(i);
        }
        ctx.localBarrier();

        // Linear 1 and GELU: thread k owns hidden unit k.
        for (int k = tid; k < hiddenDim; k += size) {
            float a = enc1Bias.get(k);
            for (int i = 0; i < featureDim; i++) {
                a += enc1T.get(i * hiddenDim + k) * x[i];
            }
            hidden[k] = gelu(a);
        }
        ctx.localBarrier();

        // Linear 2 and the argmax: thread g owns the 4 logits of group g.
        int groups = codeBits / 2;
        int logits = 2 * codeBits;
        for (int g = tid; g < groups; g += size) {
            int o = 4 * g;
            float l0 = outBias.get(o);
            float l1 = outBias.get(o + 1);
            float l2 = outBias.get(o + 2);
            float l3 = outBias.get(o + 3);
            for (int k = 0; k < hiddenDim; k++) {
                float hk = hidden[k];
                int w = k * logits + o;
                l0 += outT.get(w) * hk;
                l1 += outT.get(w + 1) * hk;
                l2 += outT.get(w + 2) * hk;
                l3 += outT.get(w + 3) * hk;
            }
            // First maximum; category k → bits (2g, 2g+1): 0 → 01, 1 → 10, 2 → 11, 3 → 00 (CommVqPacking).
            int pair = 1;
            float best = l0;
            if (l1 > best) {
                best = l1;
                pair = 2;
            }
            if (l2 > best) {
                best = l2;
                pair = 3;
            }
            if (l3 > best) {
                pair = 0;
            }
            pairBits[g] = pair;
        }
        ctx.localBarrier();

        // y = bits·E, column i by thread i, rows added in order; ‖y‖ in double.
        double ySquares = 0.0;
        for (int i = tid; i < featureDim; i += size) {
            float y = 0.0f;
            for (int j = 0; j < codeBits; j++) {
                if (((pairBits[j >> 1] >> (j & 1)) & 1) != 0) {
                    y = embedding.get(j * featureDim + i) + y;
                }
            }
            double w = y;
            ySquares += w * w;
        }
        float yNorm = (float) TornadoMath.sqrt(sumGroup(ctx, partial, ySquares));
        int token = block * CommVqDeviceLayout.BLOCK + t;
        if (tid == 0) {
            sigmas.set(token, (p + EPS) / (yNorm + EPS));
        }
        int bytes = codeBits / 8;
        int dst = t * bytes;
        for (int b = tid; b < bytes; b += size) {
            int g = 4 * b;
            int v = pairBits[g] | (pairBits[g + 1] << 2) | (pairBits[g + 2] << 4) | (pairBits[g + 3] << 6);
            blockBits.set(dst + b, (byte) v);
        }
    }

    /**
     * Sum of every thread's value over the group, to every thread: a tree in {@code partial}, which may be reused by
     * the next call (the leading barrier keeps its writes behind every thread's read of the last result).
     */
    private static double sumGroup(KernelContext ctx, double[] partial, double value) {
        int tid = ctx.localIdx;
        ctx.localBarrier();
        partial[tid] = value;
        ctx.localBarrier();
        for (int stride = ctx.localGroupSizeX / 2; stride > 0; stride /= 2) {
            if (tid < stride) {
                partial[tid] += partial[tid + stride];
            }
            ctx.localBarrier();
        }
        return partial[0];
    }

    /**
     * The exact (erf) GELU in double, a kernel-safe port of {@code org.commvq.cache.commvq.CommVqGelu.gelu}: its twin
     * line for line (Maclaurin series of erf below |z| = 2.5, continued fraction of erfc above), with literal
     * constants, TornadoMath instead of Math/StrictMath, and the series' break turned into a loop condition (it stops
     * at the same term). CommVqGelu is package-private in the cache module, so the two cannot share code;
     * CommVqValueEncodeTest checks them against each other on the JVM and on the device.
     */
    public static float gelu(float x) {
        double z = x * INV_SQRT2;
        double upper;
        if (z >= 0) {
            upper = 1.0 + (z < SERIES_LIMIT ? erfSeries(z) : 1.0 - erfcFraction(z));
        } else {
            double nz = -z;
            upper = nz < SERIES_LIMIT ? 1.0 - erfSeries(nz) : erfcFraction(nz);
        }
        return (float) (0.5 * x * upper);
    }

    private static double erfSeries(double z) {
        double z2 = z * z;
        double power = z;
        double sum = z;
        boolean more = true;
        int n = 1;
        while (more && n < 100) {
            power *= -z2 / n;
            double term = power / (2 * n + 1);
            sum += term;
            more = !(TornadoMath.abs(term) < 1e-17 * TornadoMath.abs(sum));
            n++;
        }
        return TWO_OVER_SQRT_PI * sum;
    }

    private static double erfcFraction(double z) {
        double f = z;
        for (int k = FRACTION_TERMS; k >= 1; k--) {
            f = z + (k * 0.5) / f;
        }
        return TornadoMath.exp(-z * z) * INV_SQRT_PI / f;
    }
}
