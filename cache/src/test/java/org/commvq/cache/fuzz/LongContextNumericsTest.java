package org.commvq.cache.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.commvq.cache.ExactAttention;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;
import org.commvq.cache.RopeParameters;
import org.commvq.cache.fp.Fp32KvCache;
import org.junit.jupiter.api.Test;

/**
 * Numerics at the far end of LLaMA-3.1's 128K context: RoPE at positions up to 131071 with the llama3 frequency
 * scaling, attention over 131072 cached tokens, and the softmax with logits of ±1e30. Each is compared with a
 * double-precision reference written here from the formulas (Hugging Face's llama3 rope scaling, plain softmax).
 */
class LongContextNumericsTest {
    private static final RopeParameters LLAMA_31 = RopeParameters.llama3(500000, 8, 1, 4, 8192);
    private static final int HEAD_DIM = 128;
    private static final int LAST = 131071;

    @Test
    void ropeNear128kMatchesDoubleReference() {
        Rope rope = new Rope(LLAMA_31, HEAD_DIM);
        double[] omega = referenceFrequencies();
        Random r = new Random(131071);
        int heads = 32;
        for (int pos = LAST - 64; pos <= LAST; pos++) {
            float[] v = gaussian(r, heads * HEAD_DIM, 1);
            double[] expected = rotateReference(toDouble(v), heads, pos, omega);
            rope.rotate(v, 0, heads, pos);
            for (int i = 0; i < v.length; i++) {
                assertTrue(Float.isFinite(v[i]), "position " + pos + " value " + i);
                assertEquals(expected[i], v[i], 2e-6 * (1 + Math.abs(expected[i])), "position " + pos + " value " + i);
            }
        }
    }

    /** One layer of 8B head width, one head, every position 0..131071 filled; the last four tokens attend. */
    @Test
    void attentionOverTheWhole128kContext() {
        int heads = 1;
        ModelShape shape = new ModelShape(1, heads * HEAD_DIM, heads, 1, HEAD_DIM, 256, 16, LAST + 1, 1e-5f,
                LLAMA_31);
        Fp32KvCache cache = new Fp32KvCache(shape, LAST + 1);
        Random r = new Random(7);
        int queriesAt = LAST - 3;
        float[] keys = gaussian(r, queriesAt * HEAD_DIM, 0.5);
        float[] values = gaussian(r, (LAST + 1) * HEAD_DIM, 1);
        plantNeedles(keys, new int[] {5, 70000, queriesAt - 1});
        int chunk = 8192;
        for (int pos = 0; pos < queriesAt; pos += chunk) {
            int n = Math.min(chunk, queriesAt - pos);
            cache.appendAndAttend(0, pos, n, null, slice(keys, pos, n), slice(values, pos, n), null);
        }
        float[] lastKeys = gaussian(r, 4 * HEAD_DIM, 0.5);
        float[] queries = gaussian(r, 4 * heads * HEAD_DIM, 0.5);
        for (int i = 0; i < HEAD_DIM; i++) {
            queries[i] = keys[5 * HEAD_DIM + i];
            queries[2 * HEAD_DIM + i] = keys[70000 * HEAD_DIM + i];
        }
        Rope rope = new Rope(LLAMA_31, HEAD_DIM);
        double[] omega = referenceFrequencies();
        double[] rotatedQueries = new double[queries.length];
        for (int i = 0; i < 4; i++) {
            double[] q = rotateReference(toDouble(slice(queries, i * heads, heads)), heads, queriesAt + i, omega);
            System.arraycopy(q, 0, rotatedQueries, i * heads * HEAD_DIM, q.length);
            rope.rotate(queries, i * heads * HEAD_DIM, heads, queriesAt + i);
        }
        float[] out = new float[4 * heads * HEAD_DIM];
        cache.appendAndAttend(0, queriesAt, 4, queries, lastKeys, slice(values, queriesAt, 4), out);

        float[] allKeys = new float[(LAST + 1) * HEAD_DIM];
        System.arraycopy(keys, 0, allKeys, 0, keys.length);
        System.arraycopy(lastKeys, 0, allKeys, keys.length, lastKeys.length);
        double[] expected = referenceAttention(rotatedQueries, allKeys, values, heads, queriesAt, omega);
        for (int i = 0; i < out.length; i++) {
            assertTrue(Float.isFinite(out[i]), "output " + i);
            assertEquals(expected[i], out[i], 1e-4, "output " + i);
        }
    }

    @Test
    void softmaxOfHugeLogitsStaysFinite() {
        float[] logits = {1e30f, -1e30f, 0f, 1e30f, -Float.MAX_VALUE, Float.MAX_VALUE, -1e30f};
        ExactAttention.softmax(logits, logits.length);
        assertEquals(1f, logits[5]);
        for (int i = 0; i < logits.length; i++) {
            assertTrue(Float.isFinite(logits[i]) && logits[i] >= 0, "probability " + i + " = " + logits[i]);
        }
        float[] tie = {1e30f, -1e30f, 1e30f};
        ExactAttention.softmax(tie, tie.length);
        assertEquals(0.5f, tie[0]);
        assertEquals(0f, tie[1]);
        assertEquals(0.5f, tie[2]);
        float[] allHuge = {-1e30f, -1e30f, -1e30f, -1e30f};
        ExactAttention.softmax(allHuge, allHuge.length);
        for (float p : allHuge) {
            assertEquals(0.25f, p);
        }
    }

    /** Long-wavelength keys far apart in position: the llama3 scaling decides how their scores look at 128K. */
    private static void plantNeedles(float[] keys, int[] tokens) {
        for (int t : tokens) {
            for (int i = 0; i < HEAD_DIM; i++) {
                keys[t * HEAD_DIM + i] *= 2;
            }
        }
    }

    /** Hugging Face's _compute_llama3_parameters, in double. */
    private static double[] referenceFrequencies() {
        double factor = 8;
        double low = 1;
        double high = 4;
        double original = 8192;
        double[] omega = new double[HEAD_DIM / 2];
        for (int p = 0; p < omega.length; p++) {
            double inv = 1.0 / Math.pow(500000, 2.0 * p / HEAD_DIM);
            double wavelength = 2 * Math.PI / inv;
            if (wavelength < original / high) {
                omega[p] = inv;
            } else if (wavelength > original / low) {
                omega[p] = inv / factor;
            } else {
                double smooth = (original / wavelength - low) / (high - low);
                omega[p] = (1 - smooth) * inv / factor + smooth * inv;
            }
        }
        return omega;
    }

    private static double[] rotateReference(double[] v, int heads, long pos, double[] omega) {
        double[] out = v.clone();
        for (int h = 0; h < heads; h++) {
            for (int p = 0; p < omega.length; p++) {
                int i = h * HEAD_DIM + 2 * p;
                double c = Math.cos(pos * omega[p]);
                double s = Math.sin(pos * omega[p]);
                out[i] = v[i] * c - v[i + 1] * s;
                out[i + 1] = v[i] * s + v[i + 1] * c;
            }
        }
        return out;
    }

    /** Causal attention of the four last queries over all keys, RoPE and softmax in double. */
    private static double[] referenceAttention(double[] queries, float[] keys, float[] values, int heads, int first,
                                               double[] omega) {
        int tokens = keys.length / HEAD_DIM;
        double[] rotated = new double[keys.length];
        for (int t = 0; t < tokens; t++) {
            for (int p = 0; p < omega.length; p++) {
                int i = t * HEAD_DIM + 2 * p;
                double c = Math.cos(t * omega[p]);
                double s = Math.sin(t * omega[p]);
                rotated[i] = keys[i] * c - keys[i + 1] * s;
                rotated[i + 1] = keys[i] * s + keys[i + 1] * c;
            }
        }
        double[] out = new double[4 * heads * HEAD_DIM];
        double scale = 1 / Math.sqrt(HEAD_DIM);
        for (int i = 0; i < 4; i++) {
            int len = first + i + 1;
            for (int h = 0; h < heads; h++) {
                int q = (i * heads + h) * HEAD_DIM;
                double[] logits = new double[len];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < len; t++) {
                    double dot = 0;
                    for (int d = 0; d < HEAD_DIM; d++) {
                        dot += queries[q + d] * rotated[t * HEAD_DIM + d];
                    }
                    logits[t] = dot * scale;
                    max = Math.max(max, logits[t]);
                }
                double sum = 0;
                for (int t = 0; t < len; t++) {
                    logits[t] = Math.exp(logits[t] - max);
                    sum += logits[t];
                }
                for (int t = 0; t < len; t++) {
                    for (int d = 0; d < HEAD_DIM; d++) {
                        out[q + d] += logits[t] / sum * values[t * HEAD_DIM + d];
                    }
                }
            }
        }
        return out;
    }

    private static float[] slice(float[] rows, int first, int count) {
        float[] out = new float[count * HEAD_DIM];
        System.arraycopy(rows, first * HEAD_DIM, out, 0, out.length);
        return out;
    }

    private static float[] gaussian(Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
