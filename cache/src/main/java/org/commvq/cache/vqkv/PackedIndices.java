package org.commvq.cache.vqkv;

/**
 * Indices of any width up to 31 bits packed back to back, lowest bit first. VQKV's widths (10, 9, 16 bits) do not
 * divide a byte, so indices straddle bytes; each token's run starts on a byte boundary so tokens can be written by
 * different threads.
 */
final class PackedIndices {
    private PackedIndices() {
    }

    static int read(byte[] a, long bit, int width) {
        int at = (int) (bit >>> 3);
        int shift = (int) (bit & 7);
        int need = (shift + width + 7) >>> 3;
        long w = 0;
        for (int i = 0; i < need; i++) {
            w |= (a[at + i] & 0xFFL) << (8 * i);
        }
        return (int) ((w >>> shift) & ((1L << width) - 1));
    }

    static void write(byte[] a, long bit, int width, int value) {
        int at = (int) (bit >>> 3);
        int shift = (int) (bit & 7);
        long bits = (value & ((1L << width) - 1)) << shift;
        long mask = ((1L << width) - 1) << shift;
        int need = (shift + width + 7) >>> 3;
        for (int i = 0; i < need; i++) {
            int m = (int) (mask >>> (8 * i)) & 0xFF;
            int b = (int) (bits >>> (8 * i)) & 0xFF;
            a[at + i] = (byte) ((a[at + i] & ~m) | b);
        }
    }
}
