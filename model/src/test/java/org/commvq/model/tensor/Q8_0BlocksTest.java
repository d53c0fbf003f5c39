package org.commvq.model.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.junit.jupiter.api.Test;

class Q8_0BlocksTest {
    @Test
    void roundsHalvesAwayFromZeroLikeCRoundf() {
        // amax 127 makes d = 1 exactly, so each weight's quant is roundf of the weight itself.
        float[] x = new float[32];
        float[] values = {127, 2.5f, -2.5f, 0.5f, -0.5f, 1.5f, -1.5f, 0.49f, -0.49f, -127, 126.5f};
        System.arraycopy(values, 0, x, 0, values.length);
        byte[] block = quantize(x);
        assertEquals(Float.floatToFloat16(1f), (short) ((block[0] & 0xFF) | block[1] << 8));
        int[] expected = {127, 3, -3, 1, -1, 2, -2, 0, 0, -127, 127};
        for (int j = 0; j < expected.length; j++) {
            assertEquals(expected[j], block[2 + j], "weight " + j + " = " + values[j]);
        }
    }

    @Test
    void zeroBlockHasZeroScaleAndQuants() {
        byte[] block = quantize(new float[32]);
        for (byte b : block) {
            assertEquals(0, b);
        }
    }

    @Test
    void dequantizationErrorIsAtMostHalfAStep() {
        Random random = new Random(42);
        int n = 32 * 500;
        float[] x = TestMatrices.gaussian(random, n, 0.02f);
        for (int i = 0; i < n; i += 97) {
            x[i] *= 40;
        }
        byte[] bytes = new byte[n / 32 * Q8_0Blocks.BLOCK_BYTES];
        Q8_0Blocks.quantize(x, 0, n, MemorySegment.ofArray(bytes), 0);
        float[] y = new float[n];
        Q8_0Blocks.dequantize(MemorySegment.ofArray(bytes), 0, y, 0, n);
        for (int b = 0; b < n / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[32 * b + j]));
            }
            float d = amax / 127;
            float stored = Float.float16ToFloat(Float.floatToFloat16(d));
            // Half a step for rounding, plus what storing the scale in fp16 moves the largest quant (127).
            double bound = d / 2 * (1 + 1e-4) + 127 * Math.abs(stored - d);
            for (int j = 0; j < 32; j++) {
                float err = Math.abs(x[32 * b + j] - y[32 * b + j]);
                assertTrue(err <= bound + Math.ulp(x[32 * b + j]), "block " + b + " weight " + j + ": error " + err
                        + " > " + bound);
            }
        }
    }

    private static byte[] quantize(float[] x) {
        byte[] block = new byte[Q8_0Blocks.BLOCK_BYTES];
        Q8_0Blocks.quantize(x, 0, 32, MemorySegment.ofArray(block), 0);
        return block;
    }
}
