package org.commvq.model.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml's Q4_0 encoding: blocks of 32 weights, each an fp16 scale d followed by 16 bytes whose low nibble holds weight
 * j and high nibble weight j+16, weight = (nibble − 8)·d. The quantizer reproduces llama.cpp's
 * {@code quantize_row_q4_0_ref} bit for bit.
 */
public final class Q4_0Blocks {
    public static final int BLOCK_SIZE = 32;
    public static final int BLOCK_BYTES = 2 + BLOCK_SIZE / 2;

    private Q4_0Blocks() {
    }

    /** Encodes n floats (a multiple of 32) from src[srcOff..] into n/32 blocks at dst[dstOff..]. */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        checkWholeBlocks(n);
        int half = BLOCK_SIZE / 2;
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int x = srcOff + b * BLOCK_SIZE;
            long out = dstOff + (long) b * BLOCK_BYTES;
            // The scale keeps the sign of the largest-magnitude weight so that weight maps exactly onto nibble 0
            // (−8·d): the asymmetric range −8..7 then loses nothing at its long end.
            float amax = 0;
            float max = 0;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                float v = src[x + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            dst.set(LittleEndian.SHORT, out, Float.floatToFloat16(d));
            for (int j = 0; j < half; j++) {
                int lo = Math.min(15, (int) (src[x + j] * id + 8.5f));
                int hi = Math.min(15, (int) (src[x + half + j] * id + 8.5f));
                dst.set(LittleEndian.BYTE, out + 2 + j, (byte) (lo | hi << 4));
            }
        }
    }

    /** Decodes n weights (a multiple of 32) starting at block-aligned offset srcOff into dst[dstOff..]. */
    public static void dequantize(MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        checkWholeBlocks(n);
        int half = BLOCK_SIZE / 2;
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            long in = srcOff + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(src.get(LittleEndian.SHORT, in));
            int y = dstOff + b * BLOCK_SIZE;
            for (int j = 0; j < half; j++) {
                int packed = src.get(LittleEndian.BYTE, in + 2 + j);
                dst[y + j] = ((packed & 0x0F) - 8) * d;
                dst[y + half + j] = (((packed >> 4) & 0x0F) - 8) * d;
            }
        }
    }

    private static void checkWholeBlocks(int n) {
        if (n < 0 || n % BLOCK_SIZE != 0) {
            throw new IllegalArgumentException("Q4_0 needs a multiple of " + BLOCK_SIZE + " values, got " + n);
        }
    }
}
