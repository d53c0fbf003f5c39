package org.commvq.cache.commvq;

/**
 * Bits a CommVQ cache spends per token (spec §1.8): 12-bit key codes per stage and head, packed; one fp16 key norm
 * and one fp16 value scale per token, shared by the KV heads; F·bits value bits. These are the sizes
 * {@link CommVqLayerStore} allocates, so tests tie the two together.
 */
public final class CommVqBitBudget {
    /** bits of one stage code: two 6-bit indices into 64-entry tables. */
    public static final int CODE_BITS = 12;
    /** bits of a stored norm or scale (fp16). */
    public static final int SCALE_BITS = 16;

    private CommVqBitBudget() {
    }

    /** Key bits per head per token: R·12 + 16/H (the norm is shared by the H heads). */
    public static double keyBitsPerHead(int stages, int kvHeads) {
        return (double) stages * CODE_BITS + (double) SCALE_BITS / kvHeads;
    }

    /** Value bits per head per token: bits·d + 16/H. */
    public static double valueBitsPerHead(int bits, int headDim, int kvHeads) {
        return (double) bits * headDim + (double) SCALE_BITS / kvHeads;
    }

    /** K+V bits per head per token: 264 for (R=11, 1 bit) and 512 for (21, 2) at d=128, H=8. */
    public static double bitsPerTokenPerHead(int stages, int bits, int headDim, int kvHeads) {
        return keyBitsPerHead(stages, kvHeads) + valueBitsPerHead(bits, headDim, kvHeads);
    }

    /** K+V bits per token and layer over all heads: 2112 and 4096 for LLaMA-3.1-8B. */
    public static long bitsPerTokenPerLayer(int stages, int bits, int headDim, int kvHeads) {
        return (long) kvHeads * (stages * CODE_BITS + bits * headDim) + 2L * SCALE_BITS;
    }

    /** Fraction of fp16 K+V (2·16·d bits per head): 6.4453 % and 12.5 %. */
    public static double fractionOfFp16(int stages, int bits, int headDim, int kvHeads) {
        return bitsPerTokenPerHead(stages, bits, headDim, kvHeads) / (2.0 * 16 * headDim);
    }

    /** Compression ratio against fp16: 15.515× and 8×. */
    public static double compressionRatio(int stages, int bits, int headDim, int kvHeads) {
        return 1.0 / fractionOfFp16(stages, bits, headDim, kvHeads);
    }

    /**
     * The paper's "Avg. bit" for keys, norms left out: R·log2(64)/g with g = 64 pairs sharing a code half; 1.03125
     * for R = 11 and 1.96875 for R = 21.
     */
    public static double paperAverageKeyBits(int stages, int pairs) {
        return stages * (CODE_BITS / 2.0) / pairs;
    }
}
