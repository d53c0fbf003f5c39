package org.commvq.cache.scalar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.commvq.cache.CacheMemory;
import org.commvq.cache.KvCache;
import org.commvq.cache.ModelShape;
import org.junit.jupiter.api.Test;

class Int8KvCacheTest {
    private final ModelShape shape = AttentionOracle.shape(2, 4, 2, 64);

    @Test
    void storedTokensAreWithinHalfAScaleOfThePostRopeInput() {
        Random rnd = new Random(11);
        int tokens = 40;
        float[][] keys = AttentionOracle.gaussianRows(rnd, tokens, shape.kvDim(), 2.0);
        float[][] values = AttentionOracle.gaussianRows(rnd, tokens, shape.kvDim(), 1.0);
        Int8KvCache cache = new Int8KvCache(shape, 64);
        fill(cache, 0, keys, values, rnd);
        float[][] post = AttentionOracle.rotate(shape, keys);
        for (int t = 0; t < tokens; t++) {
            checkBound(post[t], cache.storedKey(0, t));
            checkBound(values[t], cache.storedValue(0, t));
        }
    }

    private void checkBound(float[] x, float[] stored) {
        int hd = shape.headDim();
        for (int g = 0; g < shape.kvHeads(); g++) {
            float absMax = 0;
            for (int d = 0; d < hd; d++) {
                absMax = Math.max(absMax, Math.abs(x[g * hd + d]));
            }
            double halfScale = absMax / 127.0 * (1 + 1.0 / 1024) / 2;
            for (int d = 0; d < hd; d++) {
                double err = Math.abs(x[g * hd + d] - stored[g * hd + d]);
                assertTrue(err <= halfScale + 1e-6, "error " + err + " > half scale " + halfScale);
            }
        }
    }

    @Test
    void attentionEqualsDenseAttentionOverStoredTokens() {
        Random rnd = new Random(12);
        int prefill = 30;
        int n = 3;
        float[][] keys = AttentionOracle.gaussianRows(rnd, prefill + n, shape.kvDim(), 2.0);
        float[][] values = AttentionOracle.gaussianRows(rnd, prefill + n, shape.kvDim(), 1.0);
        Int8KvCache cache = new Int8KvCache(shape, 64);
        fill(cache, 0, sub(keys, prefill), sub(values, prefill), rnd);
        float[][] seen = new float[prefill + n][];
        float[][] seenValues = new float[prefill + n][];
        float[][] post = AttentionOracle.rotate(shape, keys);
        for (int t = 0; t < prefill + n; t++) {
            seen[t] = t < prefill ? cache.storedKey(0, t) : post[t];
            seenValues[t] = t < prefill ? cache.storedValue(0, t) : values[t];
        }
        float[] q = AttentionOracle.flatten(AttentionOracle.gaussianRows(rnd, n, shape.queryDim(), 1.0), 0, n);
        float[] out = new float[n * shape.queryDim()];
        cache.appendAndAttend(0, prefill, n, q, AttentionOracle.flatten(keys, prefill, n),
                AttentionOracle.flatten(values, prefill, n), out);
        float[] expected = AttentionOracle.attend(shape, prefill, n, q, seen, seenValues);
        assertTrue(AttentionOracle.relativeError(out, expected) < 1e-5);

        float[] exact = AttentionOracle.attend(shape, prefill, n, q, post, values);
        assertTrue(AttentionOracle.relativeError(out, exact) < 2e-2, "int8 attention close to fp32");
    }

    @Test
    void memoryIsCodesPlusOneHalfScalePerTokenAndHead() {
        Random rnd = new Random(13);
        Int8KvCache cache = new Int8KvCache(shape, 300);
        float[][] keys = AttentionOracle.gaussianRows(rnd, 257, shape.kvDim(), 1.0);
        fill(cache, 0, keys, keys, rnd);
        fill(cache, 1, sub(keys, 100), sub(keys, 100), rnd);
        CacheMemory m = cache.memory();
        assertEquals(2L * (257 + 100) * shape.kvDim(), m.codeBytes());
        assertEquals(2L * (257 + 100) * shape.kvHeads() * 2, m.scaleBytes());
        assertEquals(0, m.fullBytes());
        assertEquals(257, m.tokens());
        cache.clear();
        assertEquals(0, cache.memory().totalBytes());
        assertEquals(0, cache.length(0));
    }

    static float[][] sub(float[][] rows, int n) {
        return Arrays.copyOf(rows, n);
    }

    /** Appends all rows in random-sized chunks, with random queries. */
    static void fill(KvCache cache, int layer, float[][] keys, float[][] values, Random rnd) {
        ModelShape s = cache.shape();
        int pos = cache.length(layer);
        int end = pos + keys.length;
        int from = 0;
        while (pos < end) {
            int n = Math.min(end - pos, 1 + rnd.nextInt(40));
            float[] q = AttentionOracle.flatten(AttentionOracle.gaussianRows(rnd, n, s.queryDim(), 1.0), 0, n);
            cache.appendAndAttend(layer, pos, n, q, AttentionOracle.flatten(keys, from, n),
                    AttentionOracle.flatten(values, from, n), new float[n * s.queryDim()]);
            pos += n;
            from += n;
        }
    }
}
