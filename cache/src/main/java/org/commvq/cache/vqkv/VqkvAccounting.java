package org.commvq.cache.vqkv;

import java.util.Arrays;
import org.commvq.cache.CacheMemory;

/**
 * The paper's bit budget (spec §2.2): per head and token, Σ⌈log2 S⌉ index bits for K and V against 16·(D_k + D_v)
 * bits of fp16. It leaves out the fp16 sink and window tokens and the codebooks, as the paper does; the cache's
 * {@link CacheMemory} reports those.
 */
public final class VqkvAccounting {
    private VqkvAccounting() {
    }

    /** ⌈log2 size⌉: the width of an index into {@code size} codewords. */
    public static int indexBits(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a codebook needs at least one codeword, got " + size);
        }
        return 32 - Integer.numberOfLeadingZeros(size - 1);
    }

    public static int bits(int[] sizes) {
        int b = 0;
        for (int s : sizes) {
            b += indexBits(s);
        }
        return b;
    }

    /** Index bits per head and token, keys and values together (704 for LLaMA-3.1-8B). */
    public static int bitsPerHeadToken(int[] keySizes, int[] valueSizes) {
        return bits(keySizes) + bits(valueSizes);
    }

    /** Compressed size as a fraction of fp16 K and V of one head (704/4096 = 17.1875 %). */
    public static double fractionOfFp16(int[] keySizes, int[] valueSizes, int headDim) {
        return bitsPerHeadToken(keySizes, valueSizes) / (16.0 * 2 * headDim);
    }

    /** The paper's compression ratio r = 1 − fraction (82.8125 % for LLaMA-3.1-8B). */
    public static double compressionRatio(int[] keySizes, int[] valueSizes, int headDim) {
        return 1 - fractionOfFp16(keySizes, valueSizes, headDim);
    }

    /** {@code count} stages of {@code size} codewords. */
    public static int[] stages(int count, int size) {
        int[] s = new int[count];
        Arrays.fill(s, size);
        return s;
    }
}
