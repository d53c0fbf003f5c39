package org.commvq.cache;

import java.util.Arrays;

/**
 * The attention loop of every cache that stores each token's post-RoPE key and value in a per-token form (fp32,
 * fp16, int8, KIVI): the call's own tokens are scored from the caller's float arrays (exact), older tokens through the
 * subclass's stored form, all in one {@link ExactAttention} softmax. Tokens are stored only after the call's
 * attention, so a call never sees its own tokens rounded.
 */
public abstract class PostRopeKvCache implements KvCache {
    protected final ModelShape shape;
    private final int capacity;
    private final Rope rope;
    private final int[] lengths;

    protected PostRopeKvCache(ModelShape shape, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("cache capacity must be positive, got " + capacity);
        }
        this.shape = shape;
        this.capacity = capacity;
        this.rope = new Rope(shape.rope(), shape.headDim());
        this.lengths = new int[shape.layers()];
    }

    /** q·k̂ for stored token t of kvHead (post-RoPE, not yet scaled). */
    protected abstract float storedDot(int layer, int t, int kvHead, float[] q, int qOff);

    /** out += w · v̂ for stored token t of kvHead. */
    protected abstract void addStoredValue(int layer, int t, int kvHead, float w, float[] out, int outOff);

    /** Stores token t (post-RoPE key row, value row); tokens arrive in position order. */
    protected abstract void store(int layer, int t, float[] k, int kOff, float[] v, int vOff);

    /** Drops every stored token of every layer. */
    protected abstract void clearStorage();

    @Override
    public ModelShape shape() {
        return shape;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int length(int layer) {
        return lengths[layer];
    }

    @Override
    public void appendAndAttend(int layer, int pos, int n, float[] queries, float[] keys, float[] values, float[] out) {
        checkAppend(layer, pos, n);
        int kvDim = shape.kvDim();
        float[] rotated = Arrays.copyOf(keys, n * kvDim);
        for (int i = 0; i < n; i++) {
            rope.rotate(rotated, i * kvDim, shape.kvHeads(), pos + i);
        }
        if (queries != null) {
            attend(layer, pos, n, queries, rotated, values, out);
        }
        for (int i = 0; i < n; i++) {
            store(layer, pos + i, rotated, i * kvDim, values, i * kvDim);
        }
        lengths[layer] = pos + n;
    }

    private void attend(int layer, int pos, int n, float[] queries, float[] rotated, float[] values, float[] out) {
        int kvDim = shape.kvDim();
        int headDim = shape.headDim();
        int heads = shape.heads();
        int group = shape.groupSize();
        int qDim = shape.queryDim();
        Workers.parallelFor(n * heads, 1, job -> {
            int i = job / heads;
            int h = job % heads;
            int len = pos + i + 1;
            ExactAttention.Tokens tokens = new ExactAttention.Tokens() {
                @Override
                public float dot(int t, int kvHead, float[] q, int qOff) {
                    if (t < pos) {
                        return storedDot(layer, t, kvHead, q, qOff);
                    }
                    int kOff = (t - pos) * kvDim + kvHead * headDim;
                    float s = 0;
                    for (int d = 0; d < headDim; d++) {
                        s += q[qOff + d] * rotated[kOff + d];
                    }
                    return s;
                }

                @Override
                public void addValue(int t, int kvHead, float w, float[] o, int oOff) {
                    if (t < pos) {
                        addStoredValue(layer, t, kvHead, w, o, oOff);
                        return;
                    }
                    int vOff = (t - pos) * kvDim + kvHead * headDim;
                    for (int d = 0; d < headDim; d++) {
                        o[oOff + d] += w * values[vOff + d];
                    }
                }
            };
            ExactAttention.attend(tokens, len, h / group, queries, i * qDim + h * headDim, headDim,
                    new float[len], out, i * qDim + h * headDim);
        });
    }

    private void checkAppend(int layer, int pos, int n) {
        if (pos != lengths[layer]) {
            throw new IllegalStateException("layer " + layer + " holds " + lengths[layer]
                    + " tokens; cannot append at position " + pos);
        }
        if (pos + n > capacity) {
            throw new IllegalStateException("context is full: " + (pos + n) + " tokens exceed --ctx-size " + capacity);
        }
    }

    /** Most tokens stored in any layer, for {@link CacheMemory#tokens()}. */
    protected long maxLength() {
        long max = 0;
        for (int len : lengths) {
            max = Math.max(max, len);
        }
        return max;
    }

    @Override
    public void clear() {
        Arrays.fill(lengths, 0);
        clearStorage();
    }
}
