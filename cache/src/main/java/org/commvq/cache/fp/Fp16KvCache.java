package org.commvq.cache.fp;

import org.commvq.cache.ModelShape;

/** Keys and values in IEEE half precision, as llama.cpp's default f16 cache: half the bytes of fp32. */
public final class Fp16KvCache extends DenseKvCache {
    private final short[][] keys;
    private final short[][] values;

    public Fp16KvCache(ModelShape shape, int capacity) {
        super(shape, capacity);
        long perLayer = (long) capacity * shape.kvDim();
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("--ctx-size " + capacity + " is too large for an fp16 cache of width "
                    + shape.kvDim() + " per layer");
        }
        keys = new short[shape.layers()][(int) perLayer];
        values = new short[shape.layers()][(int) perLayer];
    }

    @Override
    public String type() {
        return "fp16";
    }

    @Override
    protected int elementBytes() {
        return 2;
    }

    /** K+V bytes of one token over all layers. */
    public static long bytesPerToken(ModelShape shape) {
        return bytesPerToken(shape, 2);
    }

    @Override
    protected void store(int layer, int t, float[] k, int kOff, float[] v, int vOff) {
        int w = shape.kvDim();
        short[] kd = keys[layer];
        short[] vd = values[layer];
        int base = t * w;
        for (int i = 0; i < w; i++) {
            kd[base + i] = Float.floatToFloat16(k[kOff + i]);
            vd[base + i] = Float.floatToFloat16(v[vOff + i]);
        }
    }

    @Override
    protected float storedDot(int layer, int t, int kvHead, float[] q, int qOff) {
        short[] k = keys[layer];
        int off = t * shape.kvDim() + kvHead * shape.headDim();
        float s = 0;
        for (int d = 0, n = shape.headDim(); d < n; d++) {
            s += q[qOff + d] * Float.float16ToFloat(k[off + d]);
        }
        return s;
    }

    @Override
    protected void addStoredValue(int layer, int t, int kvHead, float w, float[] out, int outOff) {
        short[] v = values[layer];
        int off = t * shape.kvDim() + kvHead * shape.headDim();
        for (int d = 0, n = shape.headDim(); d < n; d++) {
            out[outOff + d] += w * Float.float16ToFloat(v[off + d]);
        }
    }
}
