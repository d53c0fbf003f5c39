package org.commvq.model.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.junit.jupiter.api.Test;

class Q4_0BlocksTest {
    @Test
    void lowNibbleHoldsWeightJAndHighNibbleWeightJPlus16() {
        // max = -8 gives d = 1, so an integer weight v becomes nibble v + 8.
        float[] x = new float[32];
        x[0] = -8;
        for (int j = 1; j < 16; j++) {
            x[j] = j - 8;
        }
        for (int j = 0; j < 16; j++) {
            x[16 + j] = 7 - j;
        }
        byte[] block = quantize(x);
        assertEquals(1f, Float.float16ToFloat((short) ((block[0] & 0xFF) | block[1] << 8)));
        for (int j = 0; j < 16; j++) {
            int low = (int) x[j] + 8;
            int high = (int) x[16 + j] + 8;
            assertEquals(low | high << 4, block[2 + j] & 0xFF, "byte " + j);
        }
    }

    @Test
    void scaleTakesTheSignOfTheLargestMagnitudeAndRoundsHalfUp() {
        float[] x = new float[32];
        x[0] = 8;
        x[1] = -0.5f;
        x[2] = 0.5f;
        x[3] = -7.9f;
        x[4] = 7.6f;
        byte[] block = quantize(x);
        // d = 8 / -8 = -1: weight 8 is nibble 0, so it comes back exactly.
        assertEquals(-1f, Float.float16ToFloat((short) ((block[0] & 0xFF) | block[1] << 8)));
        float[] y = dequantize(block);
        assertEquals(8f, y[0]);
        assertEquals(-1f, y[1], "-0.5·(1/d) + 8.5 = 9 truncates to nibble 9");
        assertEquals(0f, y[2], 0f, "0.5·(1/d) + 8.5 = 8 truncates to nibble 8");
        assertEquals(-7f, y[3], "7.9 + 8.5 = 16.4 clamps to nibble 15");
        assertEquals(8f, y[4], "-7.6 + 8.5 = 0.9 truncates to nibble 0");
    }

    @Test
    void dequantizationErrorIsAtMostOneStep() {
        Random random = new Random(7);
        int n = 32 * 500;
        float[] x = TestMatrices.gaussian(random, n, 1f);
        byte[] bytes = new byte[n / 32 * Q4_0Blocks.BLOCK_BYTES];
        Q4_0Blocks.quantize(x, 0, n, MemorySegment.ofArray(bytes), 0);
        float[] y = new float[n];
        Q4_0Blocks.dequantize(MemorySegment.ofArray(bytes), 0, y, 0, n);
        for (int b = 0; b < n / 32; b++) {
            float max = 0;
            for (int j = 0; j < 32; j++) {
                if (Math.abs(x[32 * b + j]) > Math.abs(max)) {
                    max = x[32 * b + j];
                }
            }
            float d = Math.abs(max / -8);
            float stored = Math.abs(Float.float16ToFloat(Float.floatToFloat16(max / -8)));
            double slack = 8 * Math.abs(stored - d);
            for (int j = 0; j < 32; j++) {
                float v = x[32 * b + j];
                float err = Math.abs(v - y[32 * b + j]);
                // Nibbles reach 7·d on the side opposite the largest weight, so values beyond 7.5·d clamp.
                boolean clamped = Math.abs(v) > 7.5 * d && Math.signum(v) != Math.signum(max);
                double bound = (clamped ? d : d / 2) * (1 + 1e-4) + slack + Math.ulp(v);
                assertTrue(err <= bound, "block " + b + " weight " + j + ": error " + err + " > " + bound);
            }
        }
    }

    private static byte[] quantize(float[] x) {
        byte[] block = new byte[Q4_0Blocks.BLOCK_BYTES];
        Q4_0Blocks.quantize(x, 0, 32, MemorySegment.ofArray(block), 0);
        return block;
    }

    private static float[] dequantize(byte[] block) {
        float[] y = new float[32];
        Q4_0Blocks.dequantize(MemorySegment.ofArray(block), 0, y, 0, 32);
        return y;
    }
}
