package org.commvq.cache.fp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.commvq.cache.KvCache;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;
import org.commvq.cache.RopeParameters;
import org.junit.jupiter.api.Test;

/** The dense caches against a brute-force causal attention written from the definition. */
class DenseKvCacheTest {
    private static final ModelShape SHAPE = new ModelShape(2, 64, 4, 2, 16, 128, 100, 512, 1e-5f,
            RopeParameters.plain(10000));

    @Test
    void fp32PrefillEqualsBruteForce() {
        int n = 37;
        float[][] qkv = random(n, 1);
        float[] out = new float[n * SHAPE.queryDim()];
        KvCache cache = new Fp32KvCache(SHAPE, 64);
        cache.appendAndAttend(0, 0, n, qkv[0], qkv[1], qkv[2], out);
        float[] expected = bruteForce(qkv[0], qkv[1], qkv[2], n);
        for (int i = 0; i < out.length; i++) {
            assertEquals(expected[i], out[i], 1e-5, "element " + i);
        }
    }

    @Test
    void decodingOneByOneEqualsOneBatch() {
        int n = 20;
        float[][] qkv = random(n, 2);
        for (KvCache batch : new KvCache[] {new Fp32KvCache(SHAPE, 32), new Fp16KvCache(SHAPE, 32)}) {
            KvCache single = batch instanceof Fp32KvCache ? new Fp32KvCache(SHAPE, 32) : new Fp16KvCache(SHAPE, 32);
            float[] outBatch = new float[n * SHAPE.queryDim()];
            batch.appendAndAttend(1, 0, n, qkv[0], qkv[1], qkv[2], outBatch);
            int q = SHAPE.queryDim();
            int kv = SHAPE.kvDim();
            for (int i = 0; i < n; i++) {
                float[] o = new float[q];
                single.appendAndAttend(1, i, 1, slice(qkv[0], i * q, q), slice(qkv[1], i * kv, kv),
                        slice(qkv[2], i * kv, kv), o);
                // fp16 rounds stored tokens, the batch saw them exactly: allow half-precision error there.
                double tol = batch instanceof Fp32KvCache ? 1e-5 : 2e-3;
                for (int j = 0; j < q; j++) {
                    assertEquals(outBatch[i * q + j], o[j], tol, batch.type() + " token " + i + " dim " + j);
                }
            }
            assertEquals(n, single.length(1));
            assertEquals(0, single.length(0));
        }
    }

    @Test
    void memoryCountsStoredBytes() {
        KvCache cache = new Fp16KvCache(SHAPE, 32);
        float[][] qkv = random(5, 3);
        cache.appendAndAttend(0, 0, 5, qkv[0], qkv[1], qkv[2], new float[5 * SHAPE.queryDim()]);
        assertEquals(5L * 2 * SHAPE.kvDim() * 2, cache.memory().totalBytes());
    }

    @Test
    void refusesOverflowAndGaps() {
        KvCache cache = new Fp32KvCache(SHAPE, 4);
        float[][] qkv = random(5, 4);
        assertThrows(IllegalStateException.class,
                () -> cache.appendAndAttend(0, 0, 5, qkv[0], qkv[1], qkv[2], new float[5 * SHAPE.queryDim()]));
        assertThrows(IllegalStateException.class,
                () -> cache.appendAndAttend(0, 1, 1, qkv[0], qkv[1], qkv[2], new float[SHAPE.queryDim()]));
    }

    private static float[] bruteForce(float[] q, float[] kPre, float[] v, int n) {
        Rope rope = new Rope(SHAPE.rope(), SHAPE.headDim());
        float[] k = kPre.clone();
        for (int t = 0; t < n; t++) {
            rope.rotate(k, t * SHAPE.kvDim(), SHAPE.kvHeads(), t);
        }
        int d = SHAPE.headDim();
        float[] out = new float[n * SHAPE.queryDim()];
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < SHAPE.heads(); h++) {
                int g = h / SHAPE.groupSize();
                double[] w = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t <= i; t++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        s += q[i * SHAPE.queryDim() + h * d + j] * k[t * SHAPE.kvDim() + g * d + j];
                    }
                    w[t] = s / Math.sqrt(d);
                    max = Math.max(max, w[t]);
                }
                double sum = 0;
                for (int t = 0; t <= i; t++) {
                    w[t] = Math.exp(w[t] - max);
                    sum += w[t];
                }
                for (int j = 0; j < d; j++) {
                    double acc = 0;
                    for (int t = 0; t <= i; t++) {
                        acc += w[t] / sum * v[t * SHAPE.kvDim() + g * d + j];
                    }
                    out[i * SHAPE.queryDim() + h * d + j] = (float) acc;
                }
            }
        }
        return out;
    }

    private static float[][] random(int n, long seed) {
        Random r = new Random(seed);
        float[][] a = {new float[n * SHAPE.queryDim()], new float[n * SHAPE.kvDim()], new float[n * SHAPE.kvDim()]};
        for (float[] x : a) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
        }
        return a;
    }

    private static float[] slice(float[] a, int off, int len) {
        return java.util.Arrays.copyOfRange(a, off, off + len);
    }
}
