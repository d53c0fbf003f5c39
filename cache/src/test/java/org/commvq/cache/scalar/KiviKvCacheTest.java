package org.commvq.cache.scalar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.commvq.cache.CacheMemory;
import org.commvq.cache.ModelShape;
import org.junit.jupiter.api.Test;

class KiviKvCacheTest {
    private final ModelShape shape = AttentionOracle.shape(2, 4, 2, 64);

    @Test
    void residualSizesAtTheGroupBoundaries() {
        int[] totals = {127, 128, 129, 160, 161, 256, 257};
        int[] keyResidual = {127, 128, 97, 128, 97, 128, 97};
        for (int i = 0; i < totals.length; i++) {
            for (boolean oneByOne : new boolean[] {true, false}) {
                KiviKvCache cache = new KiviKvCache(shape, 512, 2);
                Random rnd = new Random(i);
                float[][] rows = AttentionOracle.gaussianRows(rnd, totals[i], shape.kvDim(), 1.0);
                if (oneByOne) {
                    for (float[][] one : singles(rows)) {
                        Int8KvCacheTest.fill(cache, 0, one, one, rnd);
                    }
                } else {
                    Int8KvCacheTest.fill(cache, 0, rows, rows, rnd);
                }
                String at = totals[i] + " tokens";
                assertEquals(keyResidual[i], cache.fullPrecisionKeys(0), at + ": key residual");
                assertEquals(Math.min(totals[i], KiviKvCache.RESIDUAL), cache.fullPrecisionValues(0), at + ": value residual");
                assertEquals(0, (totals[i] - cache.fullPrecisionKeys(0)) % KiviKvCache.GROUP, at + ": whole key groups");
                assertEquals(totals[i], cache.length(0));
            }
        }
    }

    private static float[][][] singles(float[][] rows) {
        float[][][] out = new float[rows.length][][];
        for (int t = 0; t < rows.length; t++) {
            out[t] = new float[][] {rows[t]};
        }
        return out;
    }

    @Test
    void quantizedTokensAreWithinHalfAScale() {
        for (int bits : new int[] {2, 4}) {
            for (ModelShape s : new ModelShape[] {shape, AttentionOracle.shape(1, 6, 3, 48)}) {
                Random rnd = new Random(bits);
                int tokens = 300;
                float[][] keys = AttentionOracle.gaussianRows(rnd, tokens, s.kvDim(), 3.0);
                float[][] values = AttentionOracle.gaussianRows(rnd, tokens, s.kvDim(), 1.0);
                KiviKvCache cache = new KiviKvCache(s, 512, bits);
                Int8KvCacheTest.fill(cache, 0, keys, values, rnd);
                float[][] post = AttentionOracle.fp16(AttentionOracle.rotate(s, keys));
                float[][] halfValues = AttentionOracle.fp16(values);
                int quantizedKeys = tokens - cache.fullPrecisionKeys(0);
                int quantizedValues = tokens - cache.fullPrecisionValues(0);
                for (int t = 0; t < tokens; t++) {
                    float[] k = cache.storedKey(0, t);
                    float[] v = cache.storedValue(0, t);
                    for (int c = 0; c < s.kvDim(); c++) {
                        double kBound = t < quantizedKeys ? cache.keyScale(0, t, c) / 2 + 1e-5 : 0;
                        double vBound = t < quantizedValues ? cache.valueScale(0, t, c) / 2 + 1e-5 : 0;
                        assertTrue(Math.abs(k[c] - post[t][c]) <= kBound, "key t=" + t + " c=" + c);
                        assertTrue(Math.abs(v[c] - halfValues[t][c]) <= vBound, "value t=" + t + " c=" + c);
                    }
                }
            }
        }
    }

    @Test
    void attentionEqualsDenseAttentionOverStoredTokensAndIsCloseToFp32() {
        // Gaussian rows span about 4σ per group: the step is 4σ/3 (2 bits) or 4σ/15 (4 bits), a uniform rounding
        // error of step/√12 ≈ 0.38σ or 0.08σ, which attention averages like the signal itself.
        double[] errors = new double[5];
        for (int bits : new int[] {2, 4}) {
            Random rnd = new Random(20 + bits);
            int prefill = 290;
            int n = 4;
            float[][] keys = AttentionOracle.gaussianRows(rnd, prefill + n, shape.kvDim(), 1.0);
            float[][] values = AttentionOracle.gaussianRows(rnd, prefill + n, shape.kvDim(), 1.0);
            KiviKvCache cache = new KiviKvCache(shape, 512, bits);
            Int8KvCacheTest.fill(cache, 1, Int8KvCacheTest.sub(keys, prefill), Int8KvCacheTest.sub(values, prefill), rnd);
            float[][] post = AttentionOracle.rotate(shape, keys);
            float[][] seen = new float[prefill + n][];
            float[][] seenValues = new float[prefill + n][];
            for (int t = 0; t < prefill + n; t++) {
                seen[t] = t < prefill ? cache.storedKey(1, t) : post[t];
                seenValues[t] = t < prefill ? cache.storedValue(1, t) : values[t];
            }
            float[] q = AttentionOracle.flatten(AttentionOracle.gaussianRows(rnd, n, shape.queryDim(), 1.0), 0, n);
            float[] out = new float[n * shape.queryDim()];
            cache.appendAndAttend(1, prefill, n, q, AttentionOracle.flatten(keys, prefill, n),
                    AttentionOracle.flatten(values, prefill, n), out);
            float[] expected = AttentionOracle.attend(shape, prefill, n, q, seen, seenValues);
            assertTrue(AttentionOracle.relativeError(out, expected) < 1e-5, "kivi" + bits + " vs stored tokens");
            float[] exact = AttentionOracle.attend(shape, prefill, n, q, post, values);
            errors[bits] = AttentionOracle.l2RelativeError(out, exact);
            assertTrue(errors[bits] < (bits == 4 ? 0.12 : 0.6), "kivi" + bits + " vs fp32: " + errors[bits]);
        }
        assertTrue(errors[4] < errors[2] / 3, "4 bits err " + errors[4] + " vs 2 bits " + errors[2]);
    }

    @Test
    void memoryIsBitsPerValuePlusHalfScaleAndZeroPerGroup() {
        for (int bits : new int[] {2, 4}) {
            KiviKvCache cache = new KiviKvCache(shape, 512, bits);
            Random rnd = new Random(30);
            float[][] rows = AttentionOracle.gaussianRows(rnd, 256, shape.kvDim(), 1.0);
            Int8KvCacheTest.fill(cache, 0, rows, rows, rnd);
            CacheMemory m = cache.memory();
            int kvDim = shape.kvDim();
            long quantizedValues = 2L * 128 * kvDim;
            assertEquals(quantizedValues * bits / 8, m.codeBytes());
            long keyGroups = 128 / 32 * kvDim;
            long valueGroups = 128L * kvDim / 32;
            assertEquals((keyGroups + valueGroups) * 2 * 2, m.scaleBytes());
            assertEquals(2L * 128 * kvDim * 2, m.fullBytes());
            assertEquals(bits + 1.0, (m.codeBytes() + m.scaleBytes()) * 8.0 / quantizedValues, 1e-12,
                    "kivi" + bits + " spends " + bits + " bits per value plus 32 bits per 32-value group");
            assertEquals(256, m.tokens());
        }
    }

    @Test
    void refusesOtherWidths() {
        assertThrows(IllegalArgumentException.class, () -> new KiviKvCache(shape, 16, 3));
        assertEquals("kivi4", new KiviKvCache(shape, 16, 4).type());
    }
}
