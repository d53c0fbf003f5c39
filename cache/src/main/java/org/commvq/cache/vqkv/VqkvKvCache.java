package org.commvq.cache.vqkv;

import java.util.Arrays;
import org.commvq.cache.CacheMemory;
import org.commvq.cache.KvCache;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;

/**
 * "vqkv": VQKV (spec §2) — residual VQ of each head vector with separate key and value quantizers, fp16 for the
 * first 4 (sink) tokens and a recent window of 1024, the middle compressed in batches of 1024 when the window
 * reaches 2048, and decode-on-demand attention over [sinks, decoded middle, window].
 *
 * <p>Choices where the paper is silent (also in the README):
 * <ul>
 *   <li>Codebooks are per layer, shared by the layer's KV heads (see {@link VqkvCodebooks}).</li>
 *   <li>Keys are quantized <em>pre</em>-RoPE. A post-RoPE key of a high-frequency pair has its phase spread
 *       uniformly by position, so a codebook would spend its entries covering rotations; pre-RoPE keys are
 *       stationary (the ICLR reviewers' "periodic, RoPE-linked errors" point the same way). Attention rotates each
 *       decoded key to its position, a small cost next to decoding it. Training data must then be pre-RoPE keys.</li>
 *   <li>Indices are packed at their exact width ⌈log2 S_i⌉ (10 bits for 1024 entries, 9 for 512), all heads of a
 *       token back to back, each token's run padded to a whole byte.</li>
 *   <li>Batching: the window's oldest 1024 tokens are encoded as soon as the window holds 2048, token by token, so
 *       a prefill, a chunked prefill and a run of single decode steps leave the same split. After a long prefill
 *       the window holds 1024..2047 tokens rather than exactly 1024.</li>
 *   <li>Sink and window tokens are fp16; the tokens of the current call are attended exact.</li>
 * </ul>
 */
public final class VqkvKvCache implements KvCache {
    public static final int SINK_TOKENS = 4;
    public static final int LOCAL_WINDOW = 1024;

    private final ModelShape shape;
    private final int capacity;
    private final VqkvCodebooks codebooks;
    private final int sinkTokens;
    private final int localWindow;
    private final Rope rope;
    private final VqkvLayer[] layers;

    public VqkvKvCache(ModelShape shape, int capacity, VqkvCodebooks codebooks) {
        this(shape, capacity, codebooks, SINK_TOKENS, LOCAL_WINDOW);
    }

    /** A cache with other sink and window sizes, for experiments and tests. */
    public VqkvKvCache(ModelShape shape, int capacity, VqkvCodebooks codebooks, int sinkTokens, int localWindow) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("cache capacity must be positive, got " + capacity);
        }
        if (sinkTokens < 0 || localWindow < 1) {
            throw new IllegalArgumentException("VQKV needs sinks >= 0 and a window >= 1, got " + sinkTokens + " and "
                    + localWindow);
        }
        codebooks.checkFits(shape);
        this.shape = shape;
        this.capacity = capacity;
        this.codebooks = codebooks;
        this.sinkTokens = sinkTokens;
        this.localWindow = localWindow;
        this.rope = new Rope(shape.rope(), shape.headDim());
        this.layers = new VqkvLayer[shape.layers()];
        clear();
    }

    @Override
    public String type() {
        return "vqkv";
    }

    @Override
    public ModelShape shape() {
        return shape;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    public VqkvCodebooks codebooks() {
        return codebooks;
    }

    @Override
    public int length(int layer) {
        return layers[layer].length();
    }

    @Override
    public void appendAndAttend(int layer, int pos, int n, float[] queries, float[] keys, float[] values, float[] out) {
        VqkvLayer state = layers[layer];
        if (pos != state.length()) {
            throw new IllegalStateException("layer " + layer + " holds " + state.length()
                    + " tokens; cannot append at position " + pos);
        }
        if (pos + n > capacity) {
            throw new IllegalStateException("context is full: " + (pos + n) + " tokens exceed --ctx-size " + capacity);
        }
        int kvDim = shape.kvDim();
        float[] rotated = Arrays.copyOf(keys, n * kvDim);
        for (int i = 0; i < n; i++) {
            rope.rotate(rotated, i * kvDim, shape.kvHeads(), pos + i);
        }
        if (queries != null) {
            VqkvAttention.attend(state, shape, rope, pos, n, queries, rotated, values, out);
        }
        for (int i = 0; i < n; i++) {
            state.append(keys, i * kvDim, values, i * kvDim);
        }
    }

    /** Tokens of the layer kept as fp16 sinks (at most 4). */
    public int sinkTokens(int layer) {
        return layers[layer].sinkTokens();
    }

    /** Tokens of the layer held as codes. */
    public int compressedTokens(int layer) {
        return layers[layer].compressedTokens();
    }

    /** Tokens of the layer in the fp16 recent window. */
    public int windowTokens(int layer) {
        return layers[layer].windowTokens();
    }

    /** The post-RoPE key of token t as attention sees it (decoded or fp16), all KV heads. */
    public float[] storedKey(int layer, int t) {
        float[] k = stored(layer, t, true);
        rope.rotate(k, 0, shape.kvHeads(), t);
        return k;
    }

    /** The value of token t as attention sees it, all KV heads. */
    public float[] storedValue(int layer, int t) {
        return stored(layer, t, false);
    }

    private float[] stored(int layer, int t, boolean key) {
        VqkvLayer state = layers[layer];
        if (t < 0 || t >= state.length()) {
            throw new IndexOutOfBoundsException("token " + t + " is not stored in layer " + layer);
        }
        int hd = shape.headDim();
        float[] x = new float[shape.kvDim()];
        int[] scratch = state.scratch();
        for (int g = 0; g < shape.kvHeads(); g++) {
            if (key) {
                state.decodeKey(g, t, x, g * hd, scratch);
            } else {
                state.decodeValue(g, t, x, g * hd, scratch);
            }
        }
        return x;
    }

    /**
     * K+V bytes of one compressed token over all layers: every KV head's stage indices at their exact bit width,
     * each token's row padded to a whole byte (as {@link VqkvLayer} stores them).
     */
    public static long bytesPerToken(ModelShape shape, int[] keySizes, int[] valueSizes) {
        int kvHeads = shape.kvHeads();
        long perLayer = (kvHeads * VqkvAccounting.bits(keySizes) + 7) / 8 + (kvHeads * VqkvAccounting.bits(valueSizes) + 7) / 8;
        return shape.layers() * perLayer;
    }

    /** K+V bytes of one compressed token over all layers with this cache's own codebooks, padded as above. */
    public long bytesPerToken() {
        int kvHeads = shape.kvHeads();
        long total = 0;
        for (int l = 0; l < shape.layers(); l++) {
            total += (kvHeads * codebooks.keys(l).bits() + 7) / 8 + (kvHeads * codebooks.values(l).bits() + 7) / 8;
        }
        return total;
    }

    @Override
    public CacheMemory memory() {
        long codes = 0;
        long full = 0;
        long tokens = 0;
        for (VqkvLayer l : layers) {
            codes += l.codeBytes();
            full += l.fullBytes();
            tokens = Math.max(tokens, l.length());
        }
        return new CacheMemory(codes, 0, full, tokens);
    }

    @Override
    public void clear() {
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new VqkvLayer(shape.kvHeads(), shape.headDim(), sinkTokens, localWindow, capacity,
                    codebooks.keys(l), codebooks.values(l));
        }
    }
}
