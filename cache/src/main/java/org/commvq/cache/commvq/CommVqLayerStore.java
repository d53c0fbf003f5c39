package org.commvq.cache.commvq;

import java.util.Arrays;
import org.commvq.cache.CacheMemory;

/**
 * One layer's tokens in a CommVQ cache (spec §1.1): a compressed region of whole 128-token blocks and a
 * full-precision tail of raw pre-RoPE keys and values in fp16.
 *
 * <p>Each block is its own set of arrays, allocated when the block is compressed and exactly filled, so the bytes
 * reported are the bytes allocated and growth never copies codes. Per block:
 * <ul>
 *   <li>key codes: per KV head a stream of 128·R 12-bit codes (token-major, stage-minor), two per three bytes;</li>
 *   <li>key norms: 128 fp16;</li>
 *   <li>value bits: 128 tokens × F·bits/8 bytes, stored byte-position-major ([β][t]) so the bit-domain value pass
 *       reads one byte position of a block as one contiguous run;</li>
 *   <li>value scales σ: 128 fp16.</li>
 * </ul>
 * The tail is one 128-token buffer allocated with the first token; {@link #memory()} reports its filled part.
 */
final class CommVqLayerStore {
    static final int BLOCK = CommVqRopeTable.BLOCK;

    private final int kvHeads;
    private final int stages;
    private final int width;
    private final int valueBytes;
    private final int headCodeBytes;
    private int blocks;
    private byte[][] keyCodes = new byte[0][];
    private short[][] keyNorms = new short[0][];
    private byte[][] valueBits = new byte[0][];
    private short[][] valueScales = new short[0][];
    private short[] tailKeys;
    private short[] tailValues;
    private int tailCount;

    CommVqLayerStore(int kvHeads, int stages, int width, int valueBytes) {
        this.kvHeads = kvHeads;
        this.stages = stages;
        this.width = width;
        this.valueBytes = valueBytes;
        this.headCodeBytes = CommVqPacking.code12Bytes((long) BLOCK * stages);
    }

    int blocks() {
        return blocks;
    }

    int compressed() {
        return blocks * BLOCK;
    }

    int tail() {
        return tailCount;
    }

    int length() {
        return compressed() + tailCount;
    }

    /** Bytes of one head's codes in a block; head h's stream starts at h times this. */
    int headCodeBytes() {
        return headCodeBytes;
    }

    byte[] keyCodes(int block) {
        return keyCodes[block];
    }

    short[] keyNorms(int block) {
        return keyNorms[block];
    }

    byte[] valueBits(int block) {
        return valueBits[block];
    }

    short[] valueScales(int block) {
        return valueScales[block];
    }

    int valueBytes() {
        return valueBytes;
    }

    /** Stage r code of token t (in block) for a KV head. */
    int code(int block, int head, int t, int r) {
        return CommVqPacking.readCode12(keyCodes[block], head * headCodeBytes, t * stages + r);
    }

    /** Value bit j of token t (in block). */
    boolean valueBit(int block, int t, int j) {
        return ((valueBits[block][(j >>> 3) * BLOCK + t] >>> (j & 7)) & 1) != 0;
    }

    /**
     * Appends one compressed block: codes [128][kvHeads][R], norms [128], packed value bits token-major
     * [128][F·bits/8] and σ [128].
     */
    void appendBlock(int[] codes, float[] norms, byte[] packedValues, float[] sigmas) {
        byte[] kc = new byte[kvHeads * headCodeBytes];
        for (int t = 0; t < BLOCK; t++) {
            for (int h = 0; h < kvHeads; h++) {
                for (int r = 0; r < stages; r++) {
                    CommVqPacking.writeCode12(kc, h * headCodeBytes, t * stages + r, codes[(t * kvHeads + h) * stages + r]);
                }
            }
        }
        byte[] vb = new byte[BLOCK * valueBytes];
        for (int t = 0; t < BLOCK; t++) {
            for (int beta = 0; beta < valueBytes; beta++) {
                vb[beta * BLOCK + t] = packedValues[t * valueBytes + beta];
            }
        }
        if (blocks == keyCodes.length) {
            int grown = Math.max(8, blocks * 2);
            keyCodes = Arrays.copyOf(keyCodes, grown);
            keyNorms = Arrays.copyOf(keyNorms, grown);
            valueBits = Arrays.copyOf(valueBits, grown);
            valueScales = Arrays.copyOf(valueScales, grown);
        }
        keyCodes[blocks] = kc;
        keyNorms[blocks] = toHalf(norms, "key norm");
        valueBits[blocks] = vb;
        valueScales[blocks] = toHalf(sigmas, "value scale");
        blocks++;
    }

    private static short[] toHalf(float[] v, String what) {
        short[] out = new short[BLOCK];
        for (int t = 0; t < BLOCK; t++) {
            out[t] = Float.floatToFloat16(v[t]);
            if (!Float.isFinite(Float.float16ToFloat(out[t]))) {
                throw new IllegalArgumentException(what + " " + v[t] + " does not fit in fp16");
            }
        }
        return out;
    }

    /** Appends a token's raw pre-RoPE key and value to the tail, rounded to fp16. */
    void appendTail(float[] keys, int kOff, float[] values, int vOff) {
        if (tailCount == BLOCK) {
            throw new IllegalStateException("the full-precision tail already holds " + BLOCK + " tokens");
        }
        if (tailKeys == null) {
            tailKeys = new short[BLOCK * width];
            tailValues = new short[BLOCK * width];
        }
        int dst = tailCount * width;
        for (int i = 0; i < width; i++) {
            tailKeys[dst + i] = Float.floatToFloat16(keys[kOff + i]);
            tailValues[dst + i] = Float.floatToFloat16(values[vOff + i]);
        }
        tailCount++;
    }

    /** Tail token t's pre-RoPE key as floats. */
    void tailKey(int t, float[] out, int off) {
        toFloat(tailKeys, t * width, out, off);
    }

    void tailValue(int t, float[] out, int off) {
        toFloat(tailValues, t * width, out, off);
    }

    private void toFloat(short[] src, int from, float[] out, int off) {
        for (int i = 0; i < width; i++) {
            out[off + i] = Float.float16ToFloat(src[from + i]);
        }
    }

    /** Forgets the oldest {@code count} tail tokens (they have just been compressed). */
    void dropTailFront(int count) {
        if (count == 0) {
            return;
        }
        int keep = tailCount - count;
        System.arraycopy(tailKeys, count * width, tailKeys, 0, keep * width);
        System.arraycopy(tailValues, count * width, tailValues, 0, keep * width);
        tailCount = keep;
    }

    /** Bytes held: compressed blocks exactly as allocated, tail as filled. */
    CacheMemory memory() {
        long codes = (long) blocks * (kvHeads * headCodeBytes + (long) BLOCK * valueBytes);
        long scales = (long) blocks * BLOCK * 2 * Short.BYTES;
        long full = (long) tailCount * width * 2 * Short.BYTES;
        return new CacheMemory(codes, scales, full, length());
    }

    void clear() {
        blocks = 0;
        keyCodes = new byte[0][];
        keyNorms = new short[0][];
        valueBits = new byte[0][];
        valueScales = new short[0][];
        tailKeys = null;
        tailValues = null;
        tailCount = 0;
    }
}
