package org.commvq.cache.scalar;

import org.commvq.cache.PostRopeKvCache;
import org.commvq.cache.CacheMemory;
import org.commvq.cache.ModelShape;

/**
 * "kivi2" / "kivi4": KIVI (Liu et al., 2024) — keys quantized per channel, values per token, groups of 32, asymmetric
 * b-bit codes with an fp16 zero point and scale per group, and an fp16 residual of the newest tokens.
 *
 * <p>Choices where the paper leaves room (also in the README):
 * <ul>
 *   <li>Keys are post-RoPE, as in the KIVI code, which quantizes the Hugging Face cache.</li>
 *   <li>Key residual: at most 128 tokens. When a token arrives at a full residual, the oldest 32 keys leave it as one
 *       group (32 tokens × each channel gets its own zero point and scale), so after 128 tokens the residual holds
 *       97..128 keys. KIVI's own code instead quantizes all 128 at once and restarts from an empty residual; leaving
 *       in groups of 32 keeps at least 96 recent keys exact at every step.</li>
 *   <li>Value residual: exactly the newest min(tokens, 128); the token pushed out is quantized alone.</li>
 *   <li>Zero points and scales are fp16 rounded outward (zero down, scale up), so |x − x̂| ≤ scale/2 holds for the
 *       stored numbers; with 2 bits this costs 32 bits per 32 values: 3 bits per value in all.</li>
 *   <li>Residual tokens are stored as fp16, like KIVI's fp16 model; tokens of the current call are attended exact.</li>
 * </ul>
 */
public final class KiviKvCache extends PostRopeKvCache {
    /** Values per quantization group: tokens per key group, channels per value group. */
    public static final int GROUP = 32;
    /** Most tokens kept in the fp16 residual. */
    public static final int RESIDUAL = 128;

    private final int bits;
    private final KiviKeyStore[] keys;
    private final KiviValueStore[] values;

    public KiviKvCache(ModelShape shape, int capacity, int bits) {
        super(shape, capacity);
        if (bits != 2 && bits != 4) {
            throw new IllegalArgumentException("KIVI supports 2 or 4 bits, got " + bits);
        }
        this.bits = bits;
        this.keys = new KiviKeyStore[shape.layers()];
        this.values = new KiviValueStore[shape.layers()];
        clearStorage();
    }

    @Override
    public String type() {
        return "kivi" + bits;
    }

    public int bits() {
        return bits;
    }

    @Override
    protected void store(int layer, int t, float[] k, int kOff, float[] v, int vOff) {
        keys[layer].append(k, kOff);
        values[layer].append(v, vOff);
    }

    @Override
    protected float storedDot(int layer, int t, int kvHead, float[] q, int qOff) {
        return keys[layer].dot(t, kvHead, q, qOff);
    }

    @Override
    protected void addStoredValue(int layer, int t, int kvHead, float w, float[] out, int outOff) {
        values[layer].addValue(t, kvHead, w, out, outOff);
    }

    /** Keys of the layer still in the fp16 residual. */
    public int fullPrecisionKeys(int layer) {
        return keys[layer].residual();
    }

    /** Values of the layer still in the fp16 residual. */
    public int fullPrecisionValues(int layer) {
        return values[layer].residual();
    }

    /** The post-RoPE key of token t as stored (dequantized or from the residual), all KV heads. */
    public float[] storedKey(int layer, int t) {
        checkStored(layer, t);
        return keys[layer].stored(t);
    }

    /** The value of token t as stored, all KV heads. */
    public float[] storedValue(int layer, int t) {
        checkStored(layer, t);
        return values[layer].stored(t);
    }

    /** The fp16 scale that quantized channel c of token t's key; NaN while the key is still in the residual. */
    public float keyScale(int layer, int t, int c) {
        checkStored(layer, t);
        return t < keys[layer].quantized() ? keys[layer].scale(t, c) : Float.NaN;
    }

    /** The fp16 scale that quantized channel c of token t's value; NaN while the value is still in the residual. */
    public float valueScale(int layer, int t, int c) {
        checkStored(layer, t);
        return t < values[layer].quantized() ? values[layer].scale(t, c) : Float.NaN;
    }

    private void checkStored(int layer, int t) {
        if (t < 0 || t >= length(layer)) {
            throw new IndexOutOfBoundsException("token " + t + " is not stored in layer " + layer);
        }
    }

    /**
     * K+V bytes of one quantized token over all layers in steady state: packed codes, the keys' per-channel
     * scale/zero pair amortised over a {@value #GROUP}-token group, and the values' per-group pairs. The
     * full-precision residual is bounded and is reported by {@link #memory()}.
     */
    public static double bytesPerToken(ModelShape shape, int bits) {
        int kvDim = shape.kvDim();
        int valueGroups = shape.kvHeads() * ((shape.headDim() + GROUP - 1) / GROUP);
        double perLayer = 2.0 * BitCodes.rowBytes(kvDim, bits) + (double) kvDim * 2 * Short.BYTES / GROUP
                + (double) valueGroups * 2 * Short.BYTES;
        return shape.layers() * perLayer;
    }

    @Override
    public CacheMemory memory() {
        long codes = 0;
        long scales = 0;
        long full = 0;
        for (int l = 0; l < shape.layers(); l++) {
            codes += keys[l].codeBytes() + values[l].codeBytes();
            scales += keys[l].scaleBytes() + values[l].scaleBytes();
            full += keys[l].fullBytes() + values[l].fullBytes();
        }
        return new CacheMemory(codes, scales, full, maxLength());
    }

    @Override
    protected void clearStorage() {
        AsymmetricQuantizer quantizer = new AsymmetricQuantizer(bits);
        for (int l = 0; l < shape.layers(); l++) {
            keys[l] = new KiviKeyStore(shape.kvDim(), shape.headDim(), GROUP, RESIDUAL, capacity(), quantizer);
            values[l] = new KiviValueStore(shape.kvDim(), shape.headDim(), GROUP, RESIDUAL, capacity(), quantizer);
        }
    }
}
