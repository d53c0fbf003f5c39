package org.commvq.model.collect;

import org.commvq.cache.CacheMemory;
import org.commvq.cache.KvCache;
import org.commvq.cache.ModelShape;

/**
 * A cache that passes everything to an exact cache and keeps a copy of each layer's keys (pre-RoPE, as the forward
 * pass hands them over) and values, position by position, for one sequence at a time.
 */
final class KvRecorder implements KvCache {
    private final KvCache exact;
    private final float[][] keys;
    private final float[][] values;

    KvRecorder(KvCache exact) {
        this.exact = exact;
        ModelShape s = exact.shape();
        this.keys = new float[s.layers()][exact.capacity() * s.kvDim()];
        this.values = new float[s.layers()][exact.capacity() * s.kvDim()];
    }

    /** Layer l's keys [positions][F] so far (the live buffer, valid until the next sequence). */
    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    @Override
    public void appendAndAttend(int layer, int pos, int n, float[] queries, float[] k, float[] v, float[] out) {
        int f = exact.shape().kvDim();
        System.arraycopy(k, 0, keys[layer], pos * f, n * f);
        System.arraycopy(v, 0, values[layer], pos * f, n * f);
        exact.appendAndAttend(layer, pos, n, queries, k, v, out);
    }

    @Override
    public String type() {
        return "recorder(" + exact.type() + ")";
    }

    @Override
    public ModelShape shape() {
        return exact.shape();
    }

    @Override
    public int capacity() {
        return exact.capacity();
    }

    @Override
    public int length(int layer) {
        return exact.length(layer);
    }

    @Override
    public CacheMemory memory() {
        return exact.memory();
    }

    @Override
    public void clear() {
        exact.clear();
    }
}
