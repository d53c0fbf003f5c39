package org.commvq.cache.scalar;

/**
 * Codes of 1, 2, 4 or 8 bits packed into bytes, lowest bits first, so a code never straddles two bytes. A row of
 * codes starts on a byte boundary, which lets rows (tokens) be written independently.
 */
final class BitCodes {
    private BitCodes() {
    }

    static int rowBytes(int count, int bits) {
        return (count * bits + 7) / 8;
    }

    static int get(byte[] codes, int rowOffset, int index, int bits) {
        int bit = index * bits;
        int b = codes[rowOffset + (bit >>> 3)] & 0xFF;
        return (b >>> (bit & 7)) & ((1 << bits) - 1);
    }

    static void set(byte[] codes, int rowOffset, int index, int bits, int code) {
        int bit = index * bits;
        int at = rowOffset + (bit >>> 3);
        int shift = bit & 7;
        int mask = ((1 << bits) - 1) << shift;
        codes[at] = (byte) ((codes[at] & ~mask) | ((code << shift) & mask));
    }
}
