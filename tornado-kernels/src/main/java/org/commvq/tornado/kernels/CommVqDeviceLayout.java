package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * How one layer's CommVQ cache lies in device memory, shared by the encoding and the attention kernels (spec §1.1,
 * §1.7 for a cache that is fed one token at a time):
 * <pre>
 *   key rows            [kvHeads][R][64][2P] fp32: θ entry j of every pair of a stage, the x's then the y's
 *                       ({@code CommVqKeyCodebook}'s rows), read by the encoder and by attention
 *   tail keys, values   [128][kvDim] fp32, pre-RoPE; position n sits in slot n mod 128
 *   key codes           [capacity][tokenCodeBytes]: code i = h·R + r of a token, 12 bits, two codes per 3 bytes
 *                       (the CPU cache's packing), a token padded to whole pairs so no two tokens share a byte
 *   key norms           [capacity] fp32
 *   value bits          [capacity/32][codeBits] ints: word (n/32)·codeBits + j holds bit j of tokens 32·(n/32) to
 *                       32·(n/32) + 31, token n at bit n mod 32, so one read gives a bit of 32 tokens
 *   block bits          [128][codeBits/8]: the encoder's output for the block being encoded, a token per row, bit j
 *                       at byte j/8, bit j mod 8 (the CPU cache's packing); moved into the value bits that step
 *   value scales σ      [capacity] fp32
 * </pre>
 * Norms and scales are fp32 rather than the CPU cache's fp16 because PoCL, where the kernels are tested, has no half
 * floats: 4 more bytes per token and layer. Before the decode step at position p the tail holds positions
 * [128·⌊(p−1)/128⌋, p); when p is a positive multiple of 128 the tail is full, and the step first encodes it into
 * block p/128 − 1 (positions p−128..p−1), then puts p in slot 0. So during the step at p the compressed region is
 * [0, {@link #compressed}(p)) and the tail [compressed(p), p].
 */
public final class CommVqDeviceLayout {
    /** Tokens per compressed block, and the tail's capacity. */
    public static final int BLOCK = 128;
    /** Tokens whose value bit j shares one int of the value bits. */
    public static final int WORD_TOKENS = 32;

    private CommVqDeviceLayout() {
    }

    /** Bytes of one token's key codes: kvHeads·R 12-bit codes rounded up to whole pairs. */
    public static int tokenCodeBytes(int kvHeads, int stages) {
        return (kvHeads * stages + 1) / 2 * 3;
    }

    /** Ints of the value bits for a capacity: whole 32-token words. */
    public static long valueWords(int capacity, int codeBits) {
        return (long) (capacity + WORD_TOKENS - 1) / WORD_TOKENS * codeBits;
    }

    /** Bit j of token n's value code. */
    public static int valueBit(IntArray bits, int codeBits, int n, int j) {
        return (bits.get(n / WORD_TOKENS * codeBits + j) >>> (n % WORD_TOKENS)) & 1;
    }

    /** Tokens held as codes during the decode step at position p. */
    public static int compressed(int p) {
        return p / BLOCK * BLOCK;
    }

    /** The block the step at position p encodes, or −1 when it encodes none. */
    public static int blockToEncode(IntArray position) {
        int p = position.get(0);
        if (p > 0 && p % BLOCK == 0) {
            return p / BLOCK - 1;
        }
        return -1;
    }

    /** Code {@code index} of the token whose codes start at byte {@code base}. */
    public static int readCode(ByteArray codes, int base, int index) {
        int o = base + (index >> 1) * 3;
        int b0 = codes.get(o) & 0xFF;
        int b1 = codes.get(o + 1) & 0xFF;
        int b2 = codes.get(o + 2) & 0xFF;
        if ((index & 1) == 0) {
            return b0 | ((b1 & 0x0F) << 8);
        }
        return (b1 >> 4) | (b2 << 4);
    }

    /** Writes codes {@code 2i} and {@code 2i+1} of a token at once, so one thread owns each 3-byte pair. */
    public static void writeCodePair(ByteArray codes, int base, int pair, int even, int odd) {
        int o = base + pair * 3;
        codes.set(o, (byte) (even & 0xFF));
        codes.set(o + 1, (byte) (((even >> 8) & 0x0F) | ((odd & 0x0F) << 4)));
        codes.set(o + 2, (byte) ((odd >> 4) & 0xFF));
    }
}
