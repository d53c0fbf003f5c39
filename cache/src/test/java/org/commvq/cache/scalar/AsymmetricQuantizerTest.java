package org.commvq.cache.scalar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AsymmetricQuantizerTest {

    @Test
    void errorIsAtMostHalfTheStoredScale() {
        Random rnd = new Random(1);
        for (int bits : new int[] {1, 2, 4, 8}) {
            AsymmetricQuantizer q = new AsymmetricQuantizer(bits);
            int levels = (1 << bits) - 1;
            for (int trial = 0; trial < 2000; trial++) {
                float[] x = new float[32];
                double spread = Math.pow(10, rnd.nextInt(7) - 4);
                double shift = rnd.nextGaussian() * spread * 3;
                float lo = Float.POSITIVE_INFINITY;
                float hi = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (shift + rnd.nextGaussian() * spread);
                    lo = Math.min(lo, x[i]);
                    hi = Math.max(hi, x[i]);
                }
                short zeroBits = q.zero(lo);
                short scaleBits = q.scale(zeroBits, hi);
                float zero = HalfPrecision.toFloat(zeroBits);
                float scale = HalfPrecision.toFloat(scaleBits);
                assertTrue(zero <= lo, "zero point rounds down");
                assertTrue(zero + (double) scale * levels >= hi, "grid covers the maximum");
                for (float v : x) {
                    int code = q.code(v, zero, scale);
                    assertTrue(code >= 0 && code <= levels);
                    double err = Math.abs(v - (zero + code * scale));
                    assertTrue(err <= scale / 2 + 1e-6 * Math.abs(v) + 1e-30,
                            bits + " bits: |x − x̂| = " + err + " > scale/2 = " + scale / 2);
                }
            }
        }
    }

    @Test
    void constantGroupCodesExactly() {
        AsymmetricQuantizer q = new AsymmetricQuantizer(2);
        short zero = q.zero(0.5f);
        short scale = q.scale(zero, 0.5f);
        assertEquals(0.5f, HalfPrecision.toFloat(zero));
        assertEquals(0f, HalfPrecision.toFloat(scale));
        assertEquals(0, q.code(0.5f, 0.5f, 0f));
    }

    @Test
    void halfPrecisionRoundsInTheAskedDirection() {
        Random rnd = new Random(2);
        for (int i = 0; i < 100000; i++) {
            float x = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 6));
            float down = HalfPrecision.toFloat(HalfPrecision.floor(x));
            float up = HalfPrecision.toFloat(HalfPrecision.ceil(x));
            assertTrue(down <= x && x <= up, x + " not within [" + down + ", " + up + "]");
        }
        assertTrue(HalfPrecision.toFloat(HalfPrecision.ceil(1e-9f)) > 0);
        assertTrue(HalfPrecision.toFloat(HalfPrecision.floor(-1e-9f)) < 0);
        assertEquals(0f, HalfPrecision.toFloat(HalfPrecision.floor(0f)));
    }

    @Test
    void refusesValuesBeyondHalfPrecision() {
        assertThrows(IllegalArgumentException.class, () -> HalfPrecision.ceil(1e6f));
        assertThrows(IllegalArgumentException.class, () -> HalfPrecision.floor(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> new AsymmetricQuantizer(3));
    }

    @Test
    void packedCodesRoundTrip() {
        Random rnd = new Random(3);
        for (int bits : new int[] {1, 2, 4, 8}) {
            int count = 77;
            byte[] row = new byte[3 + BitCodes.rowBytes(count, bits)];
            int[] codes = new int[count];
            for (int i = 0; i < count; i++) {
                codes[i] = rnd.nextInt(1 << bits);
                BitCodes.set(row, 3, i, bits, codes[i]);
            }
            for (int i = 0; i < count; i++) {
                assertEquals(codes[i], BitCodes.get(row, 3, i, bits));
            }
        }
    }
}
