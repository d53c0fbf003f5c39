package org.commvq.model.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml's Q8_0 encoding: blocks of 32 weights, each an fp16 scale d followed by 32 int8 values q, weight = q·d. The
 * quantizer reproduces llama.cpp's {@code quantize_row_q8_0_ref} bit for bit, so files we write match llama.cpp's.
 */
public final class Q8_0Blocks {
    public static final int BLOCK_SIZE = 32;
    public static final int BLOCK_BYTES = 2 + BLOCK_SIZE;

    private Q8_0Blocks() {
    }

    /** Encodes n floats (a multiple of 32) from src[srcOff..] into n/32 blocks at dst[dstOff..]. */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        checkWholeBlocks(n);
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int x = srcOff + b * BLOCK_SIZE;
            long out = dstOff + (long) b * BLOCK_BYTES;
            float amax = 0;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                amax = Math.max(amax, Math.abs(src[x + j]));
            }
            float d = amax / 127;
            // llama.cpp multiplies by the reciprocal rather than dividing, which can round differently.
            float id = d != 0 ? 1.0f / d : 0.0f;
            dst.set(LittleEndian.SHORT, out, Float.floatToFloat16(d));
            for (int j = 0; j < BLOCK_SIZE; j++) {
                dst.set(LittleEndian.BYTE, out + 2 + j, (byte) roundHalfAwayFromZero(src[x + j] * id));
            }
        }
    }

    /** Decodes n weights (a multiple of 32) starting at block-aligned offset srcOff into dst[dstOff..]. */
    public static void dequantize(MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        checkWholeBlocks(n);
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            long in = srcOff + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(src.get(LittleEndian.SHORT, in));
            int y = dstOff + b * BLOCK_SIZE;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                dst[y + j] = src.get(LittleEndian.BYTE, in + 2 + j) * d;
            }
        }
    }

    /** C's roundf; Math.round would send -2.5 to -2 instead of -3. */
    static int roundHalfAwayFromZero(float v) {
        float a = Math.abs(v);
        float whole = (float) Math.floor(a);
        int r = (int) whole + (a - whole >= 0.5f ? 1 : 0);
        return v < 0 ? -r : r;
    }

    private static void checkWholeBlocks(int n) {
        if (n < 0 || n % BLOCK_SIZE != 0) {
            throw new IllegalArgumentException("Q8_0 needs a multiple of " + BLOCK_SIZE + " values, got " + n);
        }
    }
}
