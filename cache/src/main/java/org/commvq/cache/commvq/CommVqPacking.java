package org.commvq.cache.commvq;

import java.util.Arrays;

/**
 * Bit layouts of CommVQ codes: 12-bit key codes two per three bytes (pitfall §3.11: no 16-bit words), value bits
 * LSB-first eight per byte as the official pack(), and the value category → bit-pair map of quantize()
 * (pitfall §3.13).
 */
public final class CommVqPacking {
    private CommVqPacking() {
    }

    /** Bytes that hold {@code codes} 12-bit codes. */
    public static int code12Bytes(long codes) {
        return Math.toIntExact((codes * 12 + 7) / 8);
    }

    /** Code {@code index} of a stream of 12-bit codes starting at {@code base}: the low (even) or high (odd) 12 bits of
     * the little-endian 24-bit word at byte base + 3·(index/2). */
    public static int readCode12(byte[] bytes, int base, int index) {
        int o = base + (index >> 1) * 3;
        if ((index & 1) == 0) {
            return (bytes[o] & 0xFF) | ((bytes[o + 1] & 0x0F) << 8);
        }
        return ((bytes[o + 1] & 0xFF) >>> 4) | ((bytes[o + 2] & 0xFF) << 4);
    }

    /** out[0..count) = codes 0..count-1 of the stream at {@code base}, two at a time without branches. */
    public static void readCodes12(byte[] bytes, int base, int count, int[] out) {
        int i = 0;
        int o = base;
        for (; i + 1 < count; i += 2, o += 3) {
            int b1 = bytes[o + 1] & 0xFF;
            out[i] = (bytes[o] & 0xFF) | ((b1 & 0x0F) << 8);
            out[i + 1] = (b1 >>> 4) | ((bytes[o + 2] & 0xFF) << 4);
        }
        if (i < count) {
            out[i] = readCode12(bytes, base, i);
        }
    }

    public static void writeCode12(byte[] bytes, int base, int index, int code) {
        if ((code >>> 12) != 0) {
            throw new IllegalArgumentException("code " + code + " does not fit in 12 bits");
        }
        int o = base + (index >> 1) * 3;
        if ((index & 1) == 0) {
            bytes[o] = (byte) code;
            bytes[o + 1] = (byte) ((bytes[o + 1] & 0xF0) | (code >>> 8));
        } else {
            bytes[o + 1] = (byte) ((bytes[o + 1] & 0x0F) | ((code & 0x0F) << 4));
            bytes[o + 2] = (byte) (code >>> 4);
        }
    }

    /**
     * The bit pair (b_{2j}, b_{2j+1}) of value category k as two bits of an int (bit 0 = b_{2j}):
     * 0 → (1,0), 1 → (0,1), 2 → (1,1), 3 → (0,0).
     */
    public static int categoryBits(int category) {
        return switch (category) {
            case 0 -> 0b01;
            case 1 -> 0b10;
            case 2 -> 0b11;
            case 3 -> 0b00;
            default -> throw new IllegalArgumentException("value category " + category + " is not in 0..3");
        };
    }

    public static boolean bit(byte[] packed, int off, int j) {
        return ((packed[off + (j >>> 3)] >>> (j & 7)) & 1) != 0;
    }

    /** Packs bits[0..n) (each 0 or 1) LSB-first into packed[off..off + ceil(n/8)). */
    public static void packBits(byte[] bits, int n, byte[] packed, int off) {
        Arrays.fill(packed, off, off + (n + 7) / 8, (byte) 0);
        for (int j = 0; j < n; j++) {
            if (bits[j] != 0) {
                packed[off + (j >>> 3)] |= (byte) (1 << (j & 7));
            }
        }
    }

    public static void unpackBits(byte[] packed, int off, int n, byte[] bits) {
        for (int j = 0; j < n; j++) {
            bits[j] = (byte) (bit(packed, off, j) ? 1 : 0);
        }
    }
}
