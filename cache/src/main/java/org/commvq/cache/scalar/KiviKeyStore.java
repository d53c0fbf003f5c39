package org.commvq.cache.scalar;

import java.util.Arrays;

/**
 * One layer's keys under KIVI: quantized per channel, each channel's group being 32 consecutive tokens. The newest
 * keys wait in an fp16 residual of at most {@code window} tokens; when a token arrives at a full residual, its oldest
 * 32 tokens leave it together as one group, so after the first {@code window} tokens the residual holds between
 * window−31 and window of the newest keys. Keys are post-RoPE, as KIVI quantizes the Hugging Face cache.
 */
final class KiviKeyStore {
    private final int kvDim;
    private final int headDim;
    private final int group;
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

    KiviKeyStore(int kvDim, int headDim, int group, int window, int capacity, AsymmetricQuantizer quantizer) {
        if (window % group != 0) {
            throw new IllegalArgumentException("KIVI residual " + window + " must be a multiple of the group " + group);
        }
        this.kvDim = kvDim;
        this.headDim = headDim;
        this.group = group;
        this.window = window;
        this.capacity = capacity;
        this.quantizer = quantizer;
        this.rowBytes = BitCodes.rowBytes(kvDim, quantizer.bits());
    }

    void append(float[] k, int off) {
        if (length - quantized == window) {
            quantizeOldestGroup();
        }
        if (residual == null) {
            residual = new short[window * kvDim];
        }
        int slot = (length % window) * kvDim;
        for (int c = 0; c < kvDim; c++) {
            residual[slot + c] = Float.floatToFloat16(k[off + c]);
        }
        length++;
    }

    private void quantizeOldestGroup() {
        int g = quantized / group;
        if ((quantized + group) * rowBytes > codes.length) {
            int rows = Growth.rows(codes.length / rowBytes, quantized + group, capacity);
            codes = Arrays.copyOf(codes, rows * rowBytes);
            zeros = Arrays.copyOf(zeros, (rows / group + 1) * kvDim);
            scales = Arrays.copyOf(scales, (rows / group + 1) * kvDim);
        }
        for (int c = 0; c < kvDim; c++) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int t = quantized; t < quantized + group; t++) {
                float x = residualAt(t, c);
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            short zeroBits = quantizer.zero(lo);
            short scaleBits = quantizer.scale(zeroBits, hi);
            zeros[g * kvDim + c] = zeroBits;
            scales[g * kvDim + c] = scaleBits;
            float zero = HalfPrecision.toFloat(zeroBits);
            float scale = HalfPrecision.toFloat(scaleBits);
            for (int t = quantized; t < quantized + group; t++) {
                BitCodes.set(codes, t * rowBytes, c, quantizer.bits(), quantizer.code(residualAt(t, c), zero, scale));
            }
        }
        quantized += group;
    }

    private float residualAt(int t, int c) {
        return Float.float16ToFloat(residual[(t % window) * kvDim + c]);
    }

    float dot(int t, int kvHead, float[] q, int qOff) {
        int c0 = kvHead * headDim;
        float s = 0;
        if (t >= quantized) {
            int slot = (t % window) * kvDim + c0;
            for (int d = 0; d < headDim; d++) {
                s += q[qOff + d] * Float.float16ToFloat(residual[slot + d]);
            }
            return s;
        }
        int row = t * rowBytes;
        int params = (t / group) * kvDim + c0;
        int bits = quantizer.bits();
        for (int d = 0; d < headDim; d++) {
            float k = HalfPrecision.toFloat(zeros[params + d])
                    + BitCodes.get(codes, row, c0 + d, bits) * HalfPrecision.toFloat(scales[params + d]);
            s += q[qOff + d] * k;
        }
        return s;
    }

    /** The key of token t as stored, all heads. */
    float[] stored(int t) {
        float[] k = new float[kvDim];
        for (int c = 0; c < kvDim; c++) {
            if (t >= quantized) {
                k[c] = residualAt(t, c);
            } else {
                int p = (t / group) * kvDim + c;
                k[c] = HalfPrecision.toFloat(zeros[p])
                        + BitCodes.get(codes, t * rowBytes, c, quantizer.bits()) * HalfPrecision.toFloat(scales[p]);
            }
        }
        return k;
    }

    /** The fp16 scale of token t's group in channel c; only for quantized tokens. */
    float scale(int t, int c) {
        return HalfPrecision.toFloat(scales[(t / group) * kvDim + c]);
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
        return (long) (quantized / group) * kvDim * 2 * Short.BYTES;
    }

    long fullBytes() {
        return (long) residual() * kvDim * Short.BYTES;
    }
}
