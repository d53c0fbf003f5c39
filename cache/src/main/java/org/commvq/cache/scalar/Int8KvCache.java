package org.commvq.cache.scalar;

import org.commvq.cache.PostRopeKvCache;
import java.util.Arrays;
import org.commvq.cache.CacheMemory;
import org.commvq.cache.ModelShape;

/**
 * "int8": every token's post-RoPE key and its value are stored per KV head as signed bytes with one absmax scale:
 * x̂ = code·scale, scale = max|x|/127 (fp16, rounded up so no code clips), code in [−127, 127]. No window: a token is
 * exact only during the call that brings it. 2·(headDim + 2) bytes per token and KV head.
 */
public final class Int8KvCache extends PostRopeKvCache {
    private static final int MAX_CODE = 127;

    private final byte[][] keyCodes;
    private final byte[][] valueCodes;
    private final short[][] keyScales;
    private final short[][] valueScales;

    public Int8KvCache(ModelShape shape, int capacity) {
        super(shape, capacity);
        int layers = shape.layers();
        keyCodes = new byte[layers][0];
        valueCodes = new byte[layers][0];
        keyScales = new short[layers][0];
        valueScales = new short[layers][0];
    }

    @Override
    public String type() {
        return "int8";
    }

    @Override
    protected void store(int layer, int t, float[] k, int kOff, float[] v, int vOff) {
        int kvDim = shape.kvDim();
        int kvHeads = shape.kvHeads();
        if ((t + 1) * kvDim > keyCodes[layer].length) {
            int rows = Growth.rows(keyCodes[layer].length / kvDim, t + 1, capacity());
            keyCodes[layer] = Arrays.copyOf(keyCodes[layer], rows * kvDim);
            valueCodes[layer] = Arrays.copyOf(valueCodes[layer], rows * kvDim);
            keyScales[layer] = Arrays.copyOf(keyScales[layer], rows * kvHeads);
            valueScales[layer] = Arrays.copyOf(valueScales[layer], rows * kvHeads);
        }
        int headDim = shape.headDim();
        for (int g = 0; g < kvHeads; g++) {
            int off = t * kvDim + g * headDim;
            keyScales[layer][t * kvHeads + g] = quantize(k, kOff + g * headDim, keyCodes[layer], off, headDim);
            valueScales[layer][t * kvHeads + g] = quantize(v, vOff + g * headDim, valueCodes[layer], off, headDim);
        }
    }

    /** Quantizes x[from..from+n) into codes[to..to+n) and returns the fp16 scale. */
    static short quantize(float[] x, int from, byte[] codes, int to, int n) {
        float absMax = 0;
        for (int d = 0; d < n; d++) {
            absMax = Math.max(absMax, Math.abs(x[from + d]));
        }
        short scaleBits = HalfPrecision.ceil(absMax / MAX_CODE);
        float scale = HalfPrecision.toFloat(scaleBits);
        for (int d = 0; d < n; d++) {
            int q = scale == 0f ? 0 : Math.round(x[from + d] / scale);
            codes[to + d] = (byte) Math.max(-MAX_CODE, Math.min(MAX_CODE, q));
        }
        return scaleBits;
    }

    @Override
    protected float storedDot(int layer, int t, int kvHead, float[] q, int qOff) {
        int headDim = shape.headDim();
        byte[] codes = keyCodes[layer];
        int off = t * shape.kvDim() + kvHead * headDim;
        float s = 0;
        for (int d = 0; d < headDim; d++) {
            s += q[qOff + d] * codes[off + d];
        }
        return s * HalfPrecision.toFloat(keyScales[layer][t * shape.kvHeads() + kvHead]);
    }

    @Override
    protected void addStoredValue(int layer, int t, int kvHead, float w, float[] out, int outOff) {
        int headDim = shape.headDim();
        byte[] codes = valueCodes[layer];
        int off = t * shape.kvDim() + kvHead * headDim;
        float ws = w * HalfPrecision.toFloat(valueScales[layer][t * shape.kvHeads() + kvHead]);
        for (int d = 0; d < headDim; d++) {
            out[outOff + d] += ws * codes[off + d];
        }
    }

    /** The stored (dequantized) post-RoPE key of token t, all KV heads. */
    public float[] storedKey(int layer, int t) {
        return dequantize(layer, keyCodes[layer], keyScales[layer], t);
    }

    /** The stored (dequantized) value of token t, all KV heads. */
    public float[] storedValue(int layer, int t) {
        return dequantize(layer, valueCodes[layer], valueScales[layer], t);
    }

    private float[] dequantize(int layer, byte[] codes, short[] scales, int t) {
        if (t < 0 || t >= length(layer)) {
            throw new IndexOutOfBoundsException("token " + t + " is not stored in layer " + layer);
        }
        int kvDim = shape.kvDim();
        int headDim = shape.headDim();
        float[] x = new float[kvDim];
        for (int c = 0; c < kvDim; c++) {
            x[c] = codes[t * kvDim + c] * HalfPrecision.toFloat(scales[t * shape.kvHeads() + c / headDim]);
        }
        return x;
    }

    /** K+V bytes of one token over all layers: int8 codes plus one fp16 scale per KV head for K and for V. */
    public static long bytesPerToken(ModelShape shape) {
        return (long) shape.layers() * (codeBytesPerToken(shape) + scaleBytesPerToken(shape));
    }

    private static long codeBytesPerToken(ModelShape shape) {
        return 2L * shape.kvDim();
    }

    private static long scaleBytesPerToken(ModelShape shape) {
        return 2L * shape.kvHeads() * Short.BYTES;
    }

    @Override
    public CacheMemory memory() {
        long codes = 0;
        long scales = 0;
        for (int l = 0; l < shape.layers(); l++) {
            long tokens = length(l);
            codes += tokens * codeBytesPerToken(shape);
            scales += tokens * scaleBytesPerToken(shape);
        }
        return new CacheMemory(codes, scales, 0, maxLength());
    }

    @Override
    protected void clearStorage() {
        for (int l = 0; l < shape.layers(); l++) {
            keyCodes[l] = new byte[0];
            valueCodes[l] = new byte[0];
            keyScales[l] = new short[0];
            valueScales[l] = new short[0];
        }
    }
}
