package org.commvq.cache.scalar;

import java.util.Arrays;

/**
 * One layer's values under KIVI: quantized per token, each head's channels in groups of 32 (the last group of a head
 * is shorter when head_dim is not a multiple of 32). The newest {@code window} values stay fp16; each token that
 * pushes one out quantizes that one, so the residual is exactly min(tokens, window).
 */
final class KiviValueStore {
    private final int kvDim;
    private final int headDim;
    private final int group;
    private final int groupsPerHead;
    private final int paramsPerToken;
    private final int window;
    private final int capacity;
    private final AsymmetricQuantizer quantizer;
    private final int rowBytes;
    private byte[] codes = new byte[0];
    private short[] zeros = new short[0];
    private short[] scales = new short[0];
    private short[] residual;
    private int quantized;
    private int length;

    KiviValueStore(int kvDim, int headDim, int group, int window, int capacity, AsymmetricQuantizer quantizer) {
        this.kvDim = kvDim;
        this.headDim = headDim;
        this.group = group;
        this.groupsPerHead = (headDim + group - 1) / group;
        this.paramsPerToken = kvDim / headDim * groupsPerHead;
        this.window = window;
        this.capacity = capacity;
        this.quantizer = quantizer;
        this.rowBytes = BitCodes.rowBytes(kvDim, quantizer.bits());
    }

    void append(float[] v, int off) {
        if (length - quantized == window) {
            quantizeOldest();
        }
        if (residual == null) {
            residual = new short[window * kvDim];
        }
        int slot = (length % window) * kvDim;
        for (int c = 0; c < kvDim; c++) {
            residual[slot + c] = Float.floatToFloat16(v[off + c]);
        }
        length++;
    }

    private void quantizeOldest() {
        int t = quantized;
        if ((t + 1) * rowBytes > codes.length) {
            int rows = Growth.rows(codes.length / rowBytes, t + 1, capacity);
            codes = Arrays.copyOf(codes, rows * rowBytes);
            zeros = Arrays.copyOf(zeros, rows * paramsPerToken);
            scales = Arrays.copyOf(scales, rows * paramsPerToken);
        }
        int slot = (t % window) * kvDim;
        for (int p = 0; p < paramsPerToken; p++) {
            int from = channel(p);
            int to = Math.min(from + group, (p / groupsPerHead + 1) * headDim);
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int c = from; c < to; c++) {
                float x = Float.float16ToFloat(residual[slot + c]);
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            short zeroBits = quantizer.zero(lo);
            short scaleBits = quantizer.scale(zeroBits, hi);
            zeros[t * paramsPerToken + p] = zeroBits;
            scales[t * paramsPerToken + p] = scaleBits;
            float zero = HalfPrecision.toFloat(zeroBits);
            float scale = HalfPrecision.toFloat(scaleBits);
            for (int c = from; c < to; c++) {
                int code = quantizer.code(Float.float16ToFloat(residual[slot + c]), zero, scale);
                BitCodes.set(codes, t * rowBytes, c, quantizer.bits(), code);
            }
        }
        quantized++;
    }

    /** First channel of parameter group p (head p / groupsPerHead, group p % groupsPerHead). */
    private int channel(int p) {
        return (p / groupsPerHead) * headDim + (p % groupsPerHead) * group;
    }

    void addValue(int t, int kvHead, float w, float[] out, int outOff) {
        int c0 = kvHead * headDim;
        if (t >= quantized) {
            int slot = (t % window) * kvDim + c0;
            for (int d = 0; d < headDim; d++) {
                out[outOff + d] += w * Float.float16ToFloat(residual[slot + d]);
            }
            return;
        }
        int row = t * rowBytes;
        int bits = quantizer.bits();
        int params = t * paramsPerToken + kvHead * groupsPerHead;
        for (int d = 0; d < headDim; d++) {
            int p = params + d / group;
            float v = HalfPrecision.toFloat(zeros[p]) + BitCodes.get(codes, row, c0 + d, bits) * HalfPrecision.toFloat(scales[p]);
            out[outOff + d] += w * v;
        }
    }

    /** The value of token t as stored, all heads. */
    float[] stored(int t) {
        float[] v = new float[kvDim];
        for (int g = 0; g < kvDim / headDim; g++) {
            addValue(t, g, 1f, v, g * headDim);
        }
        return v;
    }

    /** The fp16 scale of channel c of token t; only for quantized tokens. */
    float scale(int t, int c) {
        int p = t * paramsPerToken + (c / headDim) * groupsPerHead + (c % headDim) / group;
        return HalfPrecision.toFloat(scales[p]);
    }

    int quantized() {
        return quantized;
    }

    int residual() {
        return length - quantized;
    }

    long codeBytes() {
        return (long) quantized * rowBytes;
    }

    long scaleBytes() {
        return (long) quantized * paramsPerToken * 2 * Short.BYTES;
    }

    long fullBytes() {
        return (long) residual() * kvDim * Short.BYTES;
    }
}
