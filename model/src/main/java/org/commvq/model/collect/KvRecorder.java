package org.commvq.model.collect;

import org.commvq.cache.CacheMemory;
import org.commvq.cache.KvCache;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;

/**
 * A cache that passes everything to an exact cache and keeps a copy of each layer's keys (pre-RoPE, as the forward
 * pass hands them over), values and queries, position by position, for one sequence at a time. Queries arrive
 * post-RoPE; the copy is rotated back to position 0 so that queries are stored like keys and a trainer rotates both
 * with one rule (the inverse rotation costs float rounding, far below the fp16 the collection stores).
 */
final class KvRecorder implements KvCache {
    private final KvCache exact;
    private final Rope rope;
    private final float[][] keys;
    private final float[][] values;
    private final float[][] queries;

    KvRecorder(KvCache exact) {
        this.exact = exact;
        ModelShape s = exact.shape();
        this.rope = new Rope(s.rope(), s.headDim());
        this.keys = new float[s.layers()][exact.capacity() * s.kvDim()];
        this.values = new float[s.layers()][exact.capacity() * s.kvDim()];
        this.queries = new float[s.layers()][exact.capacity() * s.queryDim()];
    }

    /** Layer l's keys [positions][F] so far (the live buffer, valid until the next sequence). */
    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    /** Layer l's pre-RoPE queries [positions][heads·d] so far. */
    float[] queries(int layer) {
        return queries[layer];
    }

    @Override
    public void appendAndAttend(int layer, int pos, int n, float[] q, float[] k, float[] v, float[] out) {
        ModelShape s = exact.shape();
        int f = s.kvDim();
        System.arraycopy(k, 0, keys[layer], pos * f, n * f);
        System.arraycopy(v, 0, values[layer], pos * f, n * f);
        if (q != null) {
            int qd = s.queryDim();
            System.arraycopy(q, 0, queries[layer], pos * qd, n * qd);
            for (int i = 0; i < n; i++) {
                rope.rotate(queries[layer], (pos + i) * qd, s.heads(), -(long) (pos + i));
            }
        }
        exact.appendAndAttend(layer, pos, n, q, k, v, out);
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
