package org.commvq.cache.fp;

import org.commvq.cache.ModelShape;

/** Keys and values in float32: the reference every compressed cache is measured against. */
public final class Fp32KvCache extends DenseKvCache {
    private final float[][] keys;
    private final float[][] values;

    public Fp32KvCache(ModelShape shape, int capacity) {
        super(shape, capacity);
        long perLayer = (long) capacity * shape.kvDim();
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("--ctx-size " + capacity + " is too large for an fp32 cache of width "
                    + shape.kvDim() + " per layer");
        }
        keys = new float[shape.layers()][(int) perLayer];
        values = new float[shape.layers()][(int) perLayer];
    }

    @Override
    public String type() {
        return "fp32";
    }

    @Override
    protected int elementBytes() {
        return 4;
    }

    /** K+V bytes of one token over all layers. */
    public static long bytesPerToken(ModelShape shape) {
        return bytesPerToken(shape, 4);
    }

    @Override
    protected void store(int layer, int t, float[] k, int kOff, float[] v, int vOff) {
        int w = shape.kvDim();
        System.arraycopy(k, kOff, keys[layer], t * w, w);
        System.arraycopy(v, vOff, values[layer], t * w, w);
    }

    @Override
    protected float storedDot(int layer, int t, int kvHead, float[] q, int qOff) {
        float[] k = keys[layer];
        int off = t * shape.kvDim() + kvHead * shape.headDim();
        float s = 0;
        for (int d = 0, n = shape.headDim(); d < n; d++) {
            s += q[qOff + d] * k[off + d];
        }
        return s;
    }

    @Override
    protected void addStoredValue(int layer, int t, int kvHead, float w, float[] out, int outOff) {
        float[] v = values[layer];
        int off = t * shape.kvDim() + kvHead * shape.headDim();
        for (int d = 0, n = shape.headDim(); d < n; d++) {
            out[outOff + d] += w * v[off + d];
        }
    }
}
