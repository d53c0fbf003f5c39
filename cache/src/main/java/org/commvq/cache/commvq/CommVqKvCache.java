package org.commvq.cache.commvq;

import java.util.Arrays;
import org.commvq.cache.CacheMemory;
import org.commvq.cache.KvCache;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;
import org.commvq.cache.Workers;

/**
 * A KV cache compressed with CommVQ (spec §1): "commvq1" (R = 11 key stages, 1 value bit per channel) and
 * "commvq2" (R = 21, 2 bits), or any other codebook sizes.
 *
 * <p>Update rule (spec §1.7): a call with n &gt; 1 tokens (prefill, or a chunk of it) attends exactly over its new
 * tokens, then compresses the oldest ⌊(tail + n)/128⌋·128 tail-and-new tokens and keeps the rest as the tail. A
 * call with one token (decode) first compresses the tail if it holds 128 tokens, then attends and appends. After a
 * prefill of Lp and k decode steps the tail holds ((Lp mod 128) + k − 1) mod 128 + 1 tokens.
 *
 * <p>Keys and values are rounded to fp16 before they are encoded, wherever they come from (the tail stores fp16,
 * a long prefill compresses straight from the caller's floats), so a token's codes do not depend on how the
 * prompt was chunked. Attention: compressed tokens as {@link CommVqAttentionPath} says, tail and new tokens by
 * ordinary dots with keys rotated at their positions, one max-subtracted softmax over all of them.
 *
 * <p>Not thread-safe: one instance serves one sequence, its layers one call at a time (scratch is shared).
 */
public final class CommVqKvCache implements KvCache {
    /** Logit scratch per call, in floats; longer calls attend in runs of queries. */
    private static final int LOGIT_BUDGET = 1 << 24;

    private final ModelShape shape;
    private final int capacity;
    private final CommVqCodebooks codebooks;
    private final CommVqAttentionPath path;
    private final CommVqKeyEncoder keyEncoder;
    private final CommVqRopeTable ropeTable;
    private final Rope rope;
    private final CommVqLayerStore[] stores;
    private final CommVqCodeDomainKeyLogits codeDomain = new CommVqCodeDomainKeyLogits();
    private final CommVqBitDomainValues bitDomain = new CommVqBitDomainValues();
    private final float scale;
    private final float[] tailKeys;
    private final float[] tailValues;
    private float[] logits = new float[0];

    public CommVqKvCache(ModelShape shape, int capacity, CommVqCodebooks codebooks) {
        this(shape, capacity, codebooks, CommVqAttentionPath.FUSED_DECODE);
    }

    public CommVqKvCache(ModelShape shape, int capacity, CommVqCodebooks codebooks, CommVqAttentionPath path) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("cache capacity must be positive, got " + capacity);
        }
        CommVqKeyCodebook keys = codebooks.keys();
        if (keys.layers() != shape.layers() || keys.kvHeads() != shape.kvHeads()
                || 2 * keys.pairs() != shape.headDim()) {
            throw new IllegalArgumentException("CommVQ codebooks are for " + keys.layers() + " layers, "
                    + keys.kvHeads() + " KV heads, head_dim " + 2 * keys.pairs() + "; the model has "
                    + shape.layers() + ", " + shape.kvHeads() + ", " + shape.headDim());
        }
        this.shape = shape;
        this.capacity = capacity;
        this.codebooks = codebooks;
        this.path = path;
        this.keyEncoder = new CommVqKeyEncoder(keys);
        this.ropeTable = new CommVqRopeTable(shape.rope(), shape.headDim(), capacity);
        this.rope = new Rope(shape.rope(), shape.headDim());
        this.scale = (float) (1.0 / Math.sqrt(shape.headDim()));
        this.tailKeys = new float[CommVqLayerStore.BLOCK * shape.kvDim()];
        this.tailValues = new float[CommVqLayerStore.BLOCK * shape.kvDim()];
        this.stores = new CommVqLayerStore[shape.layers()];
        for (int l = 0; l < stores.length; l++) {
            stores[l] = new CommVqLayerStore(shape.kvHeads(), keys.stages(), shape.kvDim(),
                    codebooks.values().get(l).packedBytes());
        }
    }

    @Override
    public String type() {
        return "commvq" + codebooks.bits();
    }

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
        return stores[layer].length();
    }

    public CommVqAttentionPath path() {
        return path;
    }

    public CommVqCodebooks codebooks() {
        return codebooks;
    }

    /** Bytes of the codebooks attention reads (θ and E); the tokens' bytes are in {@link #memory()}. */
    public long codebookBytes() {
        return codebooks.codebookBytes();
    }

    /** Tokens of a layer held as codes (a multiple of 128). */
    public int compressedLength(int layer) {
        return stores[layer].compressed();
    }

    /** Tokens of a layer held in full precision. */
    public int tailLength(int layer) {
        return stores[layer].tail();
    }

    CommVqLayerStore store(int layer) {
        return stores[layer];
    }

    @Override
    public void appendAndAttend(int layer, int pos, int n, float[] queries, float[] keys, float[] values, float[] out) {
        CommVqLayerStore store = stores[layer];
        if (pos != store.length()) {
            throw new IllegalStateException("layer " + layer + " holds " + store.length()
                    + " tokens; cannot append at position " + pos);
        }
        if (n <= 0 || pos + n > capacity) {
            throw new IllegalStateException("cannot append " + n + " tokens at position " + pos + " to a cache of "
                    + capacity);
        }
        if (n == 1 && store.tail() == CommVqLayerStore.BLOCK) {
            compress(layer, store, CommVqLayerStore.BLOCK, keys, values);
        }
        if (queries != null) {
            attend(layer, store, n, queries, keys, values, out);
        }
        if (n == 1) {
            store.appendTail(keys, 0, values, 0);
        } else {
            int oldTail = store.tail();
            int blocks = (oldTail + n) / CommVqLayerStore.BLOCK;
            compress(layer, store, blocks * CommVqLayerStore.BLOCK, keys, values);
            int width = shape.kvDim();
            for (int s = Math.max(blocks * CommVqLayerStore.BLOCK, oldTail); s < oldTail + n; s++) {
                store.appendTail(keys, (s - oldTail) * width, values, (s - oldTail) * width);
            }
        }
    }

    /**
     * Compresses the first {@code count} tokens of (tail, then the call's new tokens) in blocks of 128, and drops the
     * tail tokens among them.
     */
    private void compress(int layer, CommVqLayerStore store, int count, float[] newKeys, float[] newValues) {
        int width = shape.kvDim();
        int block = CommVqLayerStore.BLOCK;
        int tail = store.tail();
        int stages = codebooks.stages();
        CommVqValueCodec codec = codebooks.values().get(layer);
        float[] k = new float[block * width];
        float[] v = new float[block * width];
        float[] norms = new float[block];
        int[] codes = new int[block * shape.kvHeads() * stages];
        byte[] packed = new byte[block * codec.packedBytes()];
        float[] sigmas = new float[block];
        for (int start = 0; start < count; start += block) {
            for (int t = 0; t < block; t++) {
                int s = start + t;
                if (s < tail) {
                    store.tailKey(s, k, t * width);
                    store.tailValue(s, v, t * width);
                } else {
                    roundToHalf(newKeys, (s - tail) * width, k, t * width, width);
                    roundToHalf(newValues, (s - tail) * width, v, t * width, width);
                }
            }
            keyEncoder.encode(layer, k, 0, block, norms, 0, codes, 0);
            codec.encode(v, 0, block, packed, 0, sigmas, 0, null);
            store.appendBlock(codes, norms, packed, sigmas);
        }
        store.dropTailFront(Math.min(count, tail));
    }

    private static void roundToHalf(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.float16ToFloat(Float.floatToFloat16(src[srcOff + i]));
        }
    }

    private void attend(int layer, CommVqLayerStore store, int n, float[] queries, float[] keys, float[] values,
                        float[] out) {
        int width = shape.kvDim();
        int heads = shape.heads();
        int headDim = shape.headDim();
        int compressed = store.compressed();
        int tail = store.tail();
        int stride = compressed + tail + n;
        float[] angles = new float[headDim];
        for (int t = 0; t < tail; t++) {
            store.tailKey(t, tailKeys, t * width);
            store.tailValue(t, tailValues, t * width);
            ropeTable.rotate(tailKeys, t * width, shape.kvHeads(), compressed + t, angles);
        }
        float[] newKeys = Arrays.copyOf(keys, n * width);
        for (int i = 0; i < n; i++) {
            ropeTable.rotate(newKeys, i * width, shape.kvHeads(), compressed + tail + i, angles);
        }
        int run = Math.max(1, Math.min(n, LOGIT_BUDGET / (heads * stride)));
        for (int first = 0; first < n; first += run) {
            CommVqQueryRows q = new CommVqQueryRows(shape, queries, first, Math.min(run, n - first));
            if (logits.length < q.rows * stride) {
                logits = new float[q.rows * stride];
            }
            float[] rowOut = new float[q.rows * headDim];
            if (compressed > 0) {
                compressedLogits(layer, store, q, stride);
            }
            exactLogitsAndSoftmax(q, compressed, tail, tailKeys, newKeys, stride);
            if (compressed > 0) {
                compressedValues(layer, store, q, stride, rowOut);
            }
            exactValuesAndWrite(q, compressed, tail, tailValues, values, stride, rowOut, out);
        }
    }

    private void compressedLogits(int layer, CommVqLayerStore store, CommVqQueryRows q, int stride) {
        CommVqKeyCodebook keys = codebooks.keys();
        switch (path) {
            case CODE_DOMAIN -> codeDomain.compute(keys, layer, store, ropeTable, q, scale, logits, stride);
            case FUSED_DECODE -> CommVqFusedKeyLogits.compute(keys, layer, store, ropeTable, q, scale, logits, stride);
            case DENSE_REFERENCE -> CommVqDenseReference.keyLogits(keys, layer, store, rope, q, scale, logits, stride);
        }
    }

    private void compressedValues(int layer, CommVqLayerStore store, CommVqQueryRows q, int stride, float[] rowOut) {
        CommVqValueCodec codec = codebooks.values().get(layer);
        if (path == CommVqAttentionPath.DENSE_REFERENCE) {
            CommVqDenseReference.values(codec, store, q, logits, stride, rowOut);
        } else {
            bitDomain.compute(codec, store, q, logits, stride, rowOut);
        }
    }

    /** Scores of tail and new tokens (query i sees new tokens 0..i), then one softmax per row over everything. */
    private void exactLogitsAndSoftmax(CommVqQueryRows q, int compressed, int tail, float[] tailKeys,
                                       float[] newKeys, int stride) {
        int headDim = shape.headDim();
        int width = shape.kvDim();
        float[] l = logits;
        Workers.parallelFor(q.rows, 1, row -> {
            int qOff = row * headDim;
            int col = q.kvHead[row] * headDim;
            int off = row * stride + compressed;
            for (int t = 0; t < tail; t++) {
                l[off + t] = scale * CommVqVectors.dot(q.interleaved, qOff, tailKeys, t * width + col, headDim);
            }
            int visible = q.query[row] + 1;
            for (int j = 0; j < visible; j++) {
                l[off + tail + j] = scale * CommVqVectors.dot(q.interleaved, qOff, newKeys, j * width + col, headDim);
            }
            CommVqVectors.softmax(l, row * stride, compressed + tail + visible);
        });
    }

    private void exactValuesAndWrite(CommVqQueryRows q, int compressed, int tail, float[] tailValues,
                                     float[] newValues, int stride, float[] rowOut, float[] out) {
        int headDim = shape.headDim();
        int width = shape.kvDim();
        int heads = shape.heads();
        float[] l = logits;
        Workers.parallelFor(q.rows, 1, row -> {
            int o = row * headDim;
            int col = q.kvHead[row] * headDim;
            int off = row * stride + compressed;
            for (int t = 0; t < tail; t++) {
                CommVqVectors.axpy(l[off + t], tailValues, t * width + col, rowOut, o, headDim);
            }
            int visible = q.query[row] + 1;
            for (int j = 0; j < visible; j++) {
                CommVqVectors.axpy(l[off + tail + j], newValues, j * width + col, rowOut, o, headDim);
            }
            int h = row % heads;
            System.arraycopy(rowOut, o, out, q.query[row] * shape.queryDim() + h * headDim, headDim);
        });
    }

    /**
     * Codes, norms/scales and fp16 tail over all layers. Compressed blocks are allocated one at a time as they fill,
     * so their bytes are both allocated and used; the tail counts its filled tokens.
     */
    @Override
    public CacheMemory memory() {
        CacheMemory total = new CacheMemory(0, 0, 0, 0);
        for (CommVqLayerStore s : stores) {
            total = total.plus(s.memory());
        }
        return total;
    }

    @Override
    public void clear() {
        for (CommVqLayerStore s : stores) {
            s.clear();
        }
    }
}
