package org.commvq.cache.vqkv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.commvq.cache.CacheMemory;
import org.commvq.cache.KvCacheFactory;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;
import org.commvq.cache.RopeParameters;
import org.commvq.cache.scalar.AttentionOracle;
import org.junit.jupiter.api.Test;

class VqkvKvCacheTest {

    /** Oracle 13 (VQKV part) with the paper's 4 sinks and 1024-token window. */
    @Test
    void sinksStayAndTheWindowNeverShrinksBelow1028FullPrecisionTokens() {
        ModelShape s = AttentionOracle.shape(1, 2, 1, 16);
        Random rnd = new Random(1);
        VqkvKvCache cache = new VqkvKvCache(s, 5000, VqkvTestData.randomCodebooks(rnd, s, 2, 16, 2, 16));
        float[][] rows = AttentionOracle.gaussianRows(rnd, 4300, s.kvDim(), 1.0);
        int total = 0;
        while (total < rows.length) {
            int n = Math.min(rows.length - total, total < 3000 ? 1 + rnd.nextInt(300) : 1);
            append(cache, 0, rows, total, n, rnd);
            total += n;
            checkSplit(cache, total, 4, 1024);
            assertTrue(cache.sinkTokens(0) + cache.windowTokens(0) >= Math.min(total, 1028), "at " + total);
        }
        assertEquals(3072, cache.compressedTokens(0));
        float[] firstKey = AttentionOracle.rotate(s, new float[][] {rows[0]})[0];
        assertArrayEquals(AttentionOracle.fp16(new float[][] {firstKey})[0], cache.storedKey(0, 0), 1e-3f,
                "token 0 is a sink, never compressed");
    }

    /** The shipped tiny-model codebooks are 64 × 16 for both: 256 + 256 bits per head and token, not the paper's 704. */
    @Test
    void bytesPerTokenCountTheCacheOwnCodebooks() {
        ModelShape s = AttentionOracle.shape(3, 2, 2, 16);
        VqkvKvCache cache = new VqkvKvCache(s, 64, VqkvTestData.randomCodebooks(new Random(2), s, 64, 16, 64, 16));
        assertEquals(3 * (2 * 256 / 8 + 2 * 256 / 8), cache.bytesPerToken());
        assertEquals(VqkvKvCache.bytesPerToken(s, VqkvAccounting.stages(64, 16), VqkvAccounting.stages(64, 16)),
                cache.bytesPerToken());
        assertEquals(cache.bytesPerToken(), KvCacheFactory.bytesPerToken(cache, s));
    }

    private static void checkSplit(VqkvKvCache cache, int total, int sinks, int local) {
        String at = "after " + total + " tokens";
        assertEquals(Math.min(total, sinks), cache.sinkTokens(0), at);
        assertEquals(0, cache.compressedTokens(0) % local, at + ": whole batches");
        assertTrue(cache.windowTokens(0) < 2 * local, at + ": window below 2·local");
        assertTrue(cache.windowTokens(0) >= Math.min(total - cache.sinkTokens(0), local), at + ": window at least local");
        assertEquals(total, cache.sinkTokens(0) + cache.compressedTokens(0) + cache.windowTokens(0), at);
        assertEquals(total, cache.length(0), at);
    }

    @Test
    void theSplitDependsOnlyOnTheTokenCount() {
        ModelShape s = AttentionOracle.shape(1, 2, 1, 16);
        Random rnd = new Random(2);
        VqkvCodebooks books = VqkvTestData.randomCodebooks(rnd, s, 2, 16, 2, 16);
        float[][] rows = AttentionOracle.gaussianRows(rnd, 100, s.kvDim(), 1.0);
        VqkvKvCache whole = new VqkvKvCache(s, 128, books, 4, 16);
        VqkvKvCache steps = new VqkvKvCache(s, 128, books, 4, 16);
        append(whole, 0, rows, 0, 100, rnd);
        for (int t = 0; t < 100; t++) {
            append(steps, 0, rows, t, 1, rnd);
            checkSplit(steps, t + 1, 4, 16);
        }
        checkSplit(whole, 100, 4, 16);
        assertEquals(steps.compressedTokens(0), whole.compressedTokens(0));
        for (int t = 0; t < 100; t++) {
            assertArrayEquals(steps.storedKey(0, t), whole.storedKey(0, t), "token " + t);
            assertArrayEquals(steps.storedValue(0, t), whole.storedValue(0, t), "token " + t);
        }
    }

    /** Oracle 15 in the cache: a token compressed in a batch decodes to Σ C_i[z_i] of its own encoding. */
    @Test
    void compressedTokensDecodeToTheirOwnEncoding() {
        ModelShape s = AttentionOracle.shape(2, 4, 2, 32);
        Random rnd = new Random(3);
        VqkvCodebooks books = VqkvTestData.randomCodebooks(rnd, s, 5, 64, 3, 32);
        VqkvKvCache cache = new VqkvKvCache(s, 256, books, 4, 24);
        float[][] keys = AttentionOracle.gaussianRows(rnd, 80, s.kvDim(), 1.0);
        float[][] values = AttentionOracle.gaussianRows(rnd, 80, s.kvDim(), 1.0);
        for (int t = 0; t < 80; t += 7) {
            append(cache, 1, keys, values, t, Math.min(7, 80 - t), rnd);
        }
        assertEquals(48, cache.compressedTokens(1));
        float[][] halfKeys = AttentionOracle.fp16(keys);
        float[][] halfValues = AttentionOracle.fp16(values);
        Rope rope = new Rope(s.rope(), s.headDim());
        int hd = s.headDim();
        for (int t = 4; t < 52; t++) {
            float[] expectedKey = new float[s.kvDim()];
            float[] expectedValue = new float[s.kvDim()];
            for (int g = 0; g < s.kvHeads(); g++) {
                int[] kc = new int[5];
                books.keys(1).encode(halfKeys[t], g * hd, kc, 0);
                books.keys(1).decode(kc, 0, expectedKey, g * hd);
                int[] vc = new int[3];
                books.values(1).encode(halfValues[t], g * hd, vc, 0);
                books.values(1).decode(vc, 0, expectedValue, g * hd);
            }
            rope.rotate(expectedKey, 0, s.kvHeads(), t);
            assertArrayEquals(expectedKey, cache.storedKey(1, t), 1e-5f, "key " + t);
            assertArrayEquals(expectedValue, cache.storedValue(1, t), 0f, "value " + t);
        }
    }

    @Test
    void attentionEqualsDenseAttentionOverDecodedTokens() {
        ModelShape s = AttentionOracle.shape(1, 6, 2, 32);
        Random rnd = new Random(4);
        VqkvCodebooks books = VqkvTestData.randomCodebooks(rnd, s, 4, 64, 3, 32);
        VqkvKvCache cache = new VqkvKvCache(s, 512, books, 4, 32);
        int prefill = 150;
        float[][] keys = AttentionOracle.gaussianRows(rnd, prefill + 40, s.kvDim(), 1.0);
        float[][] values = AttentionOracle.gaussianRows(rnd, prefill + 40, s.kvDim(), 1.0);
        append(cache, 0, keys, values, 0, prefill, rnd);
        int pos = prefill;
        for (int n : new int[] {1, 1, 5, 33}) {
            float[][] seen = new float[pos + n][];
            float[][] seenValues = new float[pos + n][];
            float[][] post = AttentionOracle.rotate(s, keys);
            for (int t = 0; t < pos + n; t++) {
                seen[t] = t < pos ? cache.storedKey(0, t) : post[t];
                seenValues[t] = t < pos ? cache.storedValue(0, t) : values[t];
            }
            float[] q = AttentionOracle.flatten(AttentionOracle.gaussianRows(rnd, n, s.queryDim(), 1.0), 0, n);
            float[] out = new float[n * s.queryDim()];
            cache.appendAndAttend(0, pos, n, q, AttentionOracle.flatten(keys, pos, n),
                    AttentionOracle.flatten(values, pos, n), out);
            float[] expected = AttentionOracle.attend(s, pos, n, q, seen, seenValues);
            double err = AttentionOracle.relativeError(out, expected);
            assertTrue(err < 1e-5, "n=" + n + " at " + pos + ": " + err);
            pos += n;
        }
        assertTrue(cache.compressedTokens(0) > 0);
    }

    @Test
    void rotationOfATileMatchesRopeAtLongPositions() {
        ModelShape s = AttentionOracle.shape(1, 1, 1, 128);
        Rope rope = new Rope(RopeParameters.llama3(500000, 8, 1, 4, 8192), 128);
        PositionRotation tile = new PositionRotation(rope, 32);
        Random rnd = new Random(5);
        float[][] rows = AttentionOracle.gaussianRows(rnd, 32, s.kvDim(), 1.0);
        float[] x = AttentionOracle.flatten(rows, 0, 32);
        long from = 131040;
        tile.rotate(x, from, 32);
        for (int j = 0; j < 32; j++) {
            float[] expected = rows[j].clone();
            rope.rotate(expected, 0, 1, from + j);
            for (int d = 0; d < 128; d++) {
                assertEquals(expected[d], x[j * 128 + d], 2e-5, "token " + j + " dim " + d);
            }
        }
    }

    /** 8 KV heads with the LLaMA-3.1-8B quantizers: 704 bits per head and token, 704 bytes per token and layer. */
    @Test
    void memoryCountsPackedIndicesAndFp16Tokens() {
        ModelShape s = AttentionOracle.shape(1, 32, 8, 128);
        Random rnd = new Random(6);
        VqkvCodebooks books = VqkvTestData.randomCodebooks(rnd, s, 56, 1024, 16, 512);
        VqkvKvCache cache = new VqkvKvCache(s, 64, books, 4, 4);
        float[][] rows = AttentionOracle.gaussianRows(rnd, 16, s.kvDim(), 1.0);
        append(cache, 0, rows, 0, 16, rnd);
        assertEquals(8, cache.compressedTokens(0));
        assertEquals(4, cache.windowTokens(0));
        CacheMemory m = cache.memory();
        assertEquals(8L * (8 * 560 / 8 + 8 * 144 / 8), m.codeBytes());
        assertEquals(8 * 704 / 8, m.codeBytes() / 8, "bytes per compressed token and layer");
        assertEquals(2L * (4 + 4) * s.kvDim() * 2, m.fullBytes());
        assertEquals(0, m.scaleBytes());
        assertEquals(16, m.tokens());
        cache.clear();
        assertEquals(0, cache.memory().totalBytes());
    }

    @Test
    void refusesCodebooksForAnotherModel() {
        ModelShape s = AttentionOracle.shape(2, 2, 1, 16);
        Random rnd = new Random(7);
        VqkvCodebooks oneLayer = VqkvTestData.randomCodebooks(rnd, AttentionOracle.shape(1, 2, 1, 16), 1, 4, 1, 4);
        assertThrows(IllegalArgumentException.class, () -> new VqkvKvCache(s, 8, oneLayer));
        VqkvCodebooks wide = VqkvTestData.randomCodebooks(rnd, AttentionOracle.shape(2, 2, 1, 32), 1, 4, 1, 4);
        assertThrows(IllegalArgumentException.class, () -> new VqkvKvCache(s, 8, wide));
    }

    private static void append(VqkvKvCache cache, int layer, float[][] rows, int from, int n, Random rnd) {
        append(cache, layer, rows, rows, from, n, rnd);
    }

    private static void append(VqkvKvCache cache, int layer, float[][] keys, float[][] values, int from, int n,
                               Random rnd) {
        ModelShape s = cache.shape();
        float[] q = AttentionOracle.flatten(AttentionOracle.gaussianRows(rnd, n, s.queryDim(), 1.0), 0, n);
        cache.appendAndAttend(layer, from, n, q, AttentionOracle.flatten(keys, from, n),
                AttentionOracle.flatten(values, from, n), new float[n * s.queryDim()]);
    }
}
