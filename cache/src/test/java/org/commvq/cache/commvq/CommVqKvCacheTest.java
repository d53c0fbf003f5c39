package org.commvq.cache.commvq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.commvq.cache.CacheMemory;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole cache: spec §4 oracles 12 (exact keys), 13 (bookkeeping) and 14 (compression arithmetic, tied to the
 * bytes allocated), and agreement of the attention paths.
 */
class CommVqKvCacheTest {
    private static final int HEAD_DIM = 128;

    @Test
    void attentionPathsAgreeThroughPrefillAndDecode() {
        ModelShape shape = CommVqFixtures.shape(2, 4, 2, HEAD_DIM);
        CommVqCodebooks codebooks = CommVqFixtures.codebooks(shape, 11, 1, 90);
        CommVqKvCache fused = new CommVqKvCache(shape, 1024, codebooks, CommVqAttentionPath.FUSED_DECODE);
        CommVqKvCache codeDomain = new CommVqKvCache(shape, 1024, codebooks, CommVqAttentionPath.CODE_DOMAIN);
        CommVqKvCache dense = new CommVqKvCache(shape, 1024, codebooks, CommVqAttentionPath.DENSE_REFERENCE);
        SplittableRandom random = new SplittableRandom(91);
        int pos = 0;
        for (int n : new int[] {300, 1, 1, 90, 1}) {
            Tokens tokens = Tokens.random(shape, n, random);
            for (int layer = 0; layer < shape.layers(); layer++) {
                float[] expected = tokens.attend(dense, layer, pos);
                assertClose(expected, tokens.attend(fused, layer, pos), shape, "fused, n=" + n);
                assertClose(expected, tokens.attend(codeDomain, layer, pos), shape, "code domain, n=" + n);
            }
            pos += n;
        }
        assertEquals(384, fused.compressedLength(1));
        assertTrue(dense.memory().codeBytes() > 0);
    }

    @Test
    void twoBitCacheAgreesWithItsReference() {
        ModelShape shape = CommVqFixtures.shape(1, 4, 1, HEAD_DIM);
        CommVqCodebooks codebooks = CommVqFixtures.codebooks(shape, 21, 2, 92);
        CommVqKvCache fused = new CommVqKvCache(shape, 512, codebooks);
        CommVqKvCache dense = new CommVqKvCache(shape, 512, codebooks, CommVqAttentionPath.DENSE_REFERENCE);
        assertEquals("commvq2", fused.type());
        SplittableRandom random = new SplittableRandom(93);
        Tokens prompt = Tokens.random(shape, 200, random);
        prompt.attend(fused, 0, 0);
        prompt.attend(dense, 0, 0);
        Tokens step = Tokens.random(shape, 1, random);
        assertClose(step.attend(dense, 0, 200), step.attend(fused, 0, 200), shape, "decode");
    }

    @Test
    void chunkedPrefillStoresWhatOneShotPrefillStores() {
        ModelShape shape = CommVqFixtures.shape(1, 2, 2, HEAD_DIM);
        CommVqCodebooks codebooks = CommVqFixtures.codebooks(shape, 3, 1, 94);
        CommVqKvCache whole = new CommVqKvCache(shape, 1024, codebooks);
        CommVqKvCache chunked = new CommVqKvCache(shape, 1024, codebooks);
        Tokens prompt = Tokens.random(shape, 330, new SplittableRandom(95));
        prompt.attend(whole, 0, 0);
        int pos = 0;
        for (int n : new int[] {100, 1, 127, 2, 100}) {
            prompt.slice(pos, n).attend(chunked, 0, pos);
            pos += n;
        }
        assertEquals(whole.compressedLength(0), chunked.compressedLength(0));
        assertEquals(whole.tailLength(0), chunked.tailLength(0));
        CommVqLayerStore a = whole.store(0);
        CommVqLayerStore b = chunked.store(0);
        for (int block = 0; block < a.blocks(); block++) {
            assertArrayEquals(a.keyCodes(block), b.keyCodes(block));
            assertArrayEquals(a.keyNorms(block), b.keyNorms(block));
            assertArrayEquals(a.valueBits(block), b.valueBits(block));
            assertArrayEquals(a.valueScales(block), b.valueScales(block));
        }
        Tokens step = Tokens.random(shape, 1, new SplittableRandom(96));
        assertArrayEquals(step.attend(whole, 0, 330), step.attend(chunked, 0, 330));
    }

    @Test
    void exactCodewordKeysGiveExactLogits() {
        ModelShape shape = CommVqFixtures.shape(1, 4, 2, HEAD_DIM);
        int pairs = HEAD_DIM / 2;
        int stages = 3;
        CommVqKeyCodebook keys = exactKeyCodebook(shape.kvHeads(), stages, pairs, 97);
        CommVqCodebooks codebooks = new CommVqCodebooks(keys,
                List.of(new CommVqValueCodec(CommVqFixtures.randomValueParameters(shape.kvDim(), 1, 98))));
        CommVqKvCache cache = new CommVqKvCache(shape, 1024, codebooks);
        SplittableRandom random = new SplittableRandom(99);
        int tokens = 300;
        int width = shape.kvDim();
        float[] k = new float[tokens * width];
        int[] entry = new int[tokens * shape.kvHeads()];
        float[] theta = keys.layerTheta(0);
        for (int t = 0; t < tokens; t++) {
            float norm = Float.float16ToFloat(Float.floatToFloat16((float) (1 + 29 * random.nextDouble())));
            for (int h = 0; h < shape.kvHeads(); h++) {
                int a = random.nextInt(63);
                entry[t * shape.kvHeads() + h] = a;
                for (int p = 0; p < pairs; p++) {
                    int base = (((h * stages) * pairs + p) * 64 + a) * 2;
                    k[t * width + h * HEAD_DIM + 2 * p] = norm * theta[base];
                    k[t * width + h * HEAD_DIM + 2 * p + 1] = norm * theta[base + 1];
                }
            }
        }
        Tokens prompt = Tokens.random(shape, tokens, random).withKeys(k);
        prompt.attend(cache, 0, 0);
        CommVqLayerStore store = cache.store(0);
        assertEquals(256, store.compressed());
        for (int t = 0; t < 256; t++) {
            for (int h = 0; h < shape.kvHeads(); h++) {
                assertEquals(entry[t * shape.kvHeads() + h] * 64 + 63, store.code(t / 128, h, t % 128, 0));
                for (int r = 1; r < stages; r++) {
                    assertEquals(4095, store.code(t / 128, h, t % 128, r), "the zero codeword");
                }
            }
        }
        float[] query = CommVqFixtures.gaussians(random, shape.queryDim(), 1.0);
        CommVqQueryRows q = new CommVqQueryRows(shape, query, 0, 1);
        float[] fused = new float[q.rows * 256];
        float[] codeDomain = new float[q.rows * 256];
        CommVqRopeTable ropeTable = new CommVqRopeTable(shape.rope(), HEAD_DIM, 1024);
        float scale = (float) (1 / Math.sqrt(HEAD_DIM));
        CommVqFusedKeyLogits.compute(keys, 0, store, ropeTable, q, scale, fused, 256);
        new CommVqCodeDomainKeyLogits().compute(keys, 0, store, ropeTable, q, scale, codeDomain, 256);
        Rope rope = new Rope(shape.rope(), HEAD_DIM);
        for (int t = 0; t < 256; t++) {
            float[] rotated = Arrays.copyOfRange(k, t * width, (t + 1) * width);
            rope.rotate(rotated, 0, shape.kvHeads(), t);
            for (int row = 0; row < q.rows; row++) {
                double dot = 0;
                double bound = 0;
                for (int i = 0; i < HEAD_DIM; i++) {
                    dot += q.interleaved[row * HEAD_DIM + i] * rotated[q.kvHead[row] * HEAD_DIM + i];
                    bound += Math.abs(q.interleaved[row * HEAD_DIM + i] * rotated[q.kvHead[row] * HEAD_DIM + i]);
                }
                double exact = dot * scale;
                double tolerance = 1e-5 * Math.max(Math.abs(exact), 0.01 * bound * scale);
                assertEquals(exact, fused[row * 256 + t], tolerance, "fused, token " + t);
                assertEquals(exact, codeDomain[row * 256 + t], tolerance, "code domain, token " + t);
            }
        }
    }

    /**
     * θ whose entry 63 is zero in every stage and whose stage-0 entries each have Σ_p |z|² = 1/H: code (A, 63) of
     * stage 0 is then a head slice of a unit F-vector, and (63, 63) the zero codeword of every stage.
     */
    private static CommVqKeyCodebook exactKeyCodebook(int kvHeads, int stages, int pairs, long seed) {
        float[] theta = CommVqFixtures.randomKeys(1, kvHeads, stages, pairs, seed).layerTheta(0);
        for (int h = 0; h < kvHeads; h++) {
            for (int r = 0; r < stages; r++) {
                for (int p = 0; p < pairs; p++) {
                    int base = (((h * stages + r) * pairs + p) * 64 + 63) * 2;
                    theta[base] = 0;
                    theta[base + 1] = 0;
                }
            }
            for (int j = 0; j < 63; j++) {
                double sq = 0;
                for (int p = 0; p < pairs; p++) {
                    int base = (((h * stages) * pairs + p) * 64 + j) * 2;
                    sq += theta[base] * theta[base] + theta[base + 1] * theta[base + 1];
                }
                double factor = 1 / Math.sqrt(sq * kvHeads);
                for (int p = 0; p < pairs; p++) {
                    int base = (((h * stages) * pairs + p) * 64 + j) * 2;
                    theta[base] *= (float) factor;
                    theta[base + 1] *= (float) factor;
                }
            }
        }
        return new CommVqKeyCodebook(kvHeads, stages, pairs, new float[][] {theta});
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 127, 128, 129, 256, 257})
    void tailFollowsTheUpdateRule(int prefill) {
        ModelShape shape = CommVqFixtures.shape(1, 2, 1, HEAD_DIM);
        CommVqKvCache cache = new CommVqKvCache(shape, 1024, CommVqFixtures.codebooks(shape, 1, 1, 100));
        SplittableRandom random = new SplittableRandom(101);
        Tokens.random(shape, prefill, random).attend(cache, 0, 0);
        assertEquals(prefill % 128, cache.tailLength(0), "after prefill");
        assertEquals(prefill - prefill % 128, cache.compressedLength(0), "after prefill");
        for (int k = 1; k <= 260; k++) {
            Tokens.random(shape, 1, random).attend(cache, 0, prefill + k - 1);
            int tail = ((prefill % 128) + k - 1) % 128 + 1;
            assertEquals(tail, cache.tailLength(0), "decode step " + k);
            assertEquals(0, cache.compressedLength(0) % 128);
            assertEquals(prefill + k, cache.compressedLength(0) + cache.tailLength(0));
            assertEquals(prefill + k, cache.length(0));
        }
        assertThrows(IllegalStateException.class,
                () -> Tokens.random(shape, 1, random).attend(cache, 0, prefill + 1));
    }

    @Test
    void compressionArithmeticMatchesTheSpec() {
        assertEquals(134, CommVqBitBudget.keyBitsPerHead(11, 8));
        assertEquals(130, CommVqBitBudget.valueBitsPerHead(1, 128, 8));
        assertEquals(264, CommVqBitBudget.bitsPerTokenPerHead(11, 1, 128, 8));
        assertEquals(512, CommVqBitBudget.bitsPerTokenPerHead(21, 2, 128, 8));
        assertEquals(2112, CommVqBitBudget.bitsPerTokenPerLayer(11, 1, 128, 8));
        assertEquals(4096, CommVqBitBudget.bitsPerTokenPerLayer(21, 2, 128, 8));
        assertEquals(0.064453, CommVqBitBudget.fractionOfFp16(11, 1, 128, 8), 5e-7);
        assertEquals(15.515, CommVqBitBudget.compressionRatio(11, 1, 128, 8), 5e-4);
        assertEquals(0.125, CommVqBitBudget.fractionOfFp16(21, 2, 128, 8), 0);
        assertEquals(8.0, CommVqBitBudget.compressionRatio(21, 2, 128, 8), 0);
        assertEquals(1.03125, CommVqBitBudget.paperAverageKeyBits(11, 64), 0);
        assertEquals(1.96875, CommVqBitBudget.paperAverageKeyBits(21, 64), 0);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void reportedBytesAreTheBudgetTimesTheTokens(int bits) {
        ModelShape shape = CommVqFixtures.shape(2, 4, 2, HEAD_DIM);
        int stages = bits == 1 ? 11 : 21;
        CommVqKvCache cache = new CommVqKvCache(shape, 1024, CommVqFixtures.codebooks(shape, stages, bits, 102));
        SplittableRandom random = new SplittableRandom(103);
        for (int layer = 0; layer < 2; layer++) {
            Tokens.random(shape, 300, random).attend(cache, layer, 0);
        }
        CacheMemory memory = cache.memory();
        long perLayer = CommVqBitBudget.bitsPerTokenPerLayer(stages, bits, HEAD_DIM, shape.kvHeads());
        assertEquals(2 * 256 * perLayer / 8, memory.codeBytes() + memory.scaleBytes());
        assertEquals(2L * 256 * 2 * 2, memory.scaleBytes());
        assertEquals(2L * 44 * shape.kvDim() * 2 * 2, memory.fullBytes());
        assertEquals(300, memory.tokens());
        assertEquals(4L * shape.layers() * shape.kvHeads() * stages * 64 * 128
                + 4L * shape.layers() * shape.kvDim() * bits * shape.kvDim(), cache.codebookBytes());
        cache.clear();
        assertEquals(0, cache.memory().totalBytes());
        assertEquals(0, cache.length(1));
    }

    private static void assertClose(float[] expected, float[] actual, ModelShape shape, String what) {
        int headDim = shape.headDim();
        for (int row = 0; row < expected.length / headDim; row++) {
            double norm = 0;
            for (int i = 0; i < headDim; i++) {
                norm += expected[row * headDim + i] * expected[row * headDim + i];
            }
            for (int i = 0; i < headDim; i++) {
                assertEquals(expected[row * headDim + i], actual[row * headDim + i], 1e-4 * Math.sqrt(norm),
                        what + ", row " + row);
            }
        }
    }

    /** Queries, pre-RoPE keys and values of n tokens. */
    private record Tokens(ModelShape shape, int n, float[] queries, float[] keys, float[] values) {
        static Tokens random(ModelShape shape, int n, SplittableRandom random) {
            return new Tokens(shape, n, CommVqFixtures.gaussians(random, n * shape.queryDim(), 1.0),
                    CommVqFixtures.gaussians(random, n * shape.kvDim(), 2.0),
                    CommVqFixtures.gaussians(random, n * shape.kvDim(), 1.0));
        }

        Tokens withKeys(float[] k) {
            return new Tokens(shape, n, queries, k, values);
        }

        Tokens slice(int from, int count) {
            int q = shape.queryDim();
            int kv = shape.kvDim();
            return new Tokens(shape, count, Arrays.copyOfRange(queries, from * q, (from + count) * q),
                    Arrays.copyOfRange(keys, from * kv, (from + count) * kv),
                    Arrays.copyOfRange(values, from * kv, (from + count) * kv));
        }

        float[] attend(CommVqKvCache cache, int layer, int pos) {
            float[] out = new float[n * shape.queryDim()];
            cache.appendAndAttend(layer, pos, n, queries, keys, values, out);
            return out;
        }
    }
}
