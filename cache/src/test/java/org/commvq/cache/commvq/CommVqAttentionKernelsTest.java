package org.commvq.cache.commvq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spec §4 oracles 4 (code-domain logits = q·RoPE_n(decode)/√d), 5 (relative position) and 11 (bit-domain value
 * attention = dense decoded values), for the code-domain, fused and dense-reference kernels.
 */
class CommVqAttentionKernelsTest {
    private static final int HEAD_DIM = 128;
    private static final int PAIRS = HEAD_DIM / 2;
    private static final float SCALE = (float) (1 / Math.sqrt(HEAD_DIM));

    @ParameterizedTest
    @ValueSource(ints = {1, 11, 21})
    void codeDomainAndFusedLogitsEqualDecodeThenDotUpTo131071(int stages) {
        ModelShape shape = CommVqFixtures.shape(1, 2, 1, HEAD_DIM);
        CommVqKeyCodebook codebook = CommVqFixtures.randomKeys(1, 1, stages, PAIRS, 40 + stages);
        int blocks = 1024;
        CommVqLayerStore store = CommVqFixtures.randomStore(shape, stages, 16, blocks, 50 + stages);
        CommVqRopeTable rope = new CommVqRopeTable(shape.rope(), HEAD_DIM, blocks * 128);
        float[] queries = CommVqFixtures.gaussians(new SplittableRandom(60 + stages), shape.queryDim(), 1.0);
        CommVqQueryRows q = new CommVqQueryRows(shape, queries, 0, 1);
        int stride = blocks * 128;
        float[] fused = new float[q.rows * stride];
        float[] codeDomain = new float[q.rows * stride];
        CommVqFusedKeyLogits.compute(codebook, 0, store, rope, q, SCALE, fused, stride);
        new CommVqCodeDomainKeyLogits().compute(codebook, 0, store, rope, q, SCALE, codeDomain, stride);
        SplittableRandom random = new SplittableRandom(70);
        double worst = 0;
        for (int sample = 0; sample < 3000; sample++) {
            int pos = sample < 4 ? new int[] {0, 127, 128, stride - 1}[sample] : random.nextInt(stride);
            for (int row = 0; row < q.rows; row++) {
                double[] expected = expectedLogit(codebook, store, shape, q, row, pos);
                double tolerance = 1e-4 * Math.max(Math.abs(expected[0]), 0.01 * expected[1]);
                assertEquals(expected[0], fused[row * stride + pos], tolerance, "fused, position " + pos);
                assertEquals(expected[0], codeDomain[row * stride + pos], tolerance, "code domain, position " + pos);
                worst = Math.max(worst, Math.abs(fused[row * stride + pos] - expected[0]) / expected[1]);
            }
        }
        assertTrue(worst < 1e-5, "largest error relative to |q|·|k|/√d: " + worst);
        for (int i = 0; i < fused.length; i++) {
            assertEquals(fused[i], codeDomain[i], 1e-4 * Math.max(1, Math.abs(fused[i])), "logit " + i);
        }
    }

    @Test
    void denseReferenceLogitsEqualDecodeThenDot() {
        ModelShape shape = CommVqFixtures.shape(1, 4, 2, HEAD_DIM);
        int stages = 11;
        CommVqKeyCodebook codebook = CommVqFixtures.randomKeys(1, 2, stages, PAIRS, 71);
        CommVqLayerStore store = CommVqFixtures.randomStore(shape, stages, 32, 3, 72);
        float[] queries = CommVqFixtures.gaussians(new SplittableRandom(73), shape.queryDim(), 1.0);
        CommVqQueryRows q = new CommVqQueryRows(shape, queries, 0, 1);
        int stride = 3 * 128;
        float[] dense = new float[q.rows * stride];
        CommVqDenseReference.keyLogits(codebook, 0, store, new Rope(shape.rope(), HEAD_DIM), q, SCALE, dense, stride);
        for (int pos = 0; pos < stride; pos++) {
            for (int row = 0; row < q.rows; row++) {
                double[] expected = expectedLogit(codebook, store, shape, q, row, pos);
                assertEquals(expected[0], dense[row * stride + pos],
                        1e-4 * Math.max(Math.abs(expected[0]), 0.01 * expected[1]), "position " + pos);
            }
        }
    }

    @Test
    void shiftingQueryAndKeyPositionsTogetherKeepsTheLogit() {
        ModelShape shape = CommVqFixtures.shape(1, 1, 1, HEAD_DIM);
        int stages = 11;
        CommVqKeyCodebook codebook = CommVqFixtures.randomKeys(1, 1, stages, PAIRS, 74);
        int blocks = 160;
        CommVqLayerStore store = sameTokenStore(shape, stages, blocks, 75);
        CommVqRopeTable ropeTable = new CommVqRopeTable(shape.rope(), HEAD_DIM, blocks * 128);
        Rope rope = new Rope(shape.rope(), HEAD_DIM);
        float[] raw = CommVqFixtures.gaussians(new SplittableRandom(76), HEAD_DIM, 1.0);
        int stride = blocks * 128;
        int[][] cases = {{500, 20, 10_000}, {3000, 2990, 7000}, {100, 0, 1}, {9000, 4000, 10_000}};
        for (int[] c : cases) {
            int m = c[0];
            int n = c[1];
            int delta = c[2];
            float[] before = logitsForQueryAt(codebook, store, ropeTable, rope, shape, raw, m, stride);
            float[] after = logitsForQueryAt(codebook, store, ropeTable, rope, shape, raw, m + delta, stride);
            float x = before[n];
            float y = after[n + delta];
            assertEquals(x, y, 1e-4 * Math.abs(x), "m=" + m + " n=" + n + " Δ=" + delta);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void bitDomainValuesEqualDenseDecodedValues(int bits) {
        ModelShape shape = CommVqFixtures.shape(1, 4, 2, HEAD_DIM);
        int width = shape.kvDim();
        CommVqValueCodec codec = new CommVqValueCodec(CommVqFixtures.randomValueParameters(width, bits, 80 + bits));
        int blocks = 5;
        CommVqLayerStore store = CommVqFixtures.randomStore(shape, 1, codec.packedBytes(), blocks, 81);
        float[] queries = new float[2 * shape.queryDim()];
        CommVqQueryRows q = new CommVqQueryRows(shape, queries, 0, 2);
        int tokens = blocks * 128;
        int stride = tokens + 7;
        float[] probs = CommVqFixtures.gaussians(new SplittableRandom(82), q.rows * stride, 2.0);
        for (int row = 0; row < q.rows; row++) {
            CommVqVectors.softmax(probs, row * stride, stride);
        }
        float[] bitDomain = new float[q.rows * HEAD_DIM];
        float[] dense = new float[q.rows * HEAD_DIM];
        new CommVqBitDomainValues().compute(codec, store, q, probs, stride, bitDomain);
        CommVqDenseReference.values(codec, store, q, probs, stride, dense);
        float[] plain = plainBitDomain(codec, store, q, probs, stride);
        for (int row = 0; row < q.rows; row++) {
            double norm = 0;
            for (int i = 0; i < HEAD_DIM; i++) {
                norm += dense[row * HEAD_DIM + i] * dense[row * HEAD_DIM + i];
            }
            double tolerance = 1e-4 * Math.sqrt(norm);
            for (int i = 0; i < HEAD_DIM; i++) {
                assertEquals(dense[row * HEAD_DIM + i], bitDomain[row * HEAD_DIM + i], tolerance, "row " + row);
                assertEquals(dense[row * HEAD_DIM + i], plain[row * HEAD_DIM + i], tolerance, "row " + row);
            }
        }
    }

    /** acc[j] = Σ a·σ·b[j] by one conditional add per bit, then (acc·E_g)⊙(λ+eps)_g: the formula, unoptimized. */
    private static float[] plainBitDomain(CommVqValueCodec codec, CommVqLayerStore store, CommVqQueryRows q,
                                          float[] probs, int stride) {
        int codeBits = codec.codeBits();
        float[] out = new float[q.rows * HEAD_DIM];
        for (int row = 0; row < q.rows; row++) {
            double[] acc = new double[codeBits];
            for (int b = 0; b < store.blocks(); b++) {
                for (int t = 0; t < 128; t++) {
                    double w = probs[row * stride + b * 128 + t] * Float.float16ToFloat(store.valueScales(b)[t]);
                    for (int j = 0; j < codeBits; j++) {
                        if (store.valueBit(b, t, j)) {
                            acc[j] += w;
                        }
                    }
                }
            }
            int col = q.kvHead[row] * HEAD_DIM;
            for (int i = 0; i < HEAD_DIM; i++) {
                double s = 0;
                for (int j = 0; j < codeBits; j++) {
                    s += acc[j] * codec.embedding()[j * codec.featureDim() + col + i];
                }
                out[row * HEAD_DIM + i] = (float) (s * codec.scalePlusEps()[col + i]);
            }
        }
        return out;
    }

    private static float[] logitsForQueryAt(CommVqKeyCodebook codebook, CommVqLayerStore store,
                                            CommVqRopeTable ropeTable, Rope rope, ModelShape shape, float[] raw,
                                            int position, int stride) {
        float[] query = raw.clone();
        rope.rotate(query, 0, 1, position);
        CommVqQueryRows q = new CommVqQueryRows(shape, query, 0, 1);
        float[] logits = new float[stride];
        CommVqFusedKeyLogits.compute(codebook, 0, store, ropeTable, q, SCALE, logits, stride);
        float[] codeDomain = new float[stride];
        new CommVqCodeDomainKeyLogits().compute(codebook, 0, store, ropeTable, q, SCALE, codeDomain, stride);
        for (int i = 0; i < stride; i++) {
            assertEquals(logits[i], codeDomain[i], 1e-4 * Math.max(1, Math.abs(logits[i])));
        }
        return logits;
    }

    private static CommVqLayerStore sameTokenStore(ModelShape shape, int stages, int blocks, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] token = new int[stages];
        for (int r = 0; r < stages; r++) {
            token[r] = random.nextInt(4096);
        }
        CommVqLayerStore store = new CommVqLayerStore(1, stages, shape.kvDim(), 16);
        int[] codes = new int[128 * stages];
        for (int t = 0; t < 128; t++) {
            System.arraycopy(token, 0, codes, t * stages, stages);
        }
        float[] norms = new float[128];
        Arrays.fill(norms, 7.25f);
        for (int b = 0; b < blocks; b++) {
            store.appendBlock(codes, norms, new byte[128 * 16], norms);
        }
        return store;
    }

    /**
     * {q·RoPE_n(k̂_n)/√d, |q|·|k̂_n|/√d} in double, k̂_n = s_n·Σ_r w_r(c_r) decoded from θ and rotated with exact
     * angles.
     */
    private static double[] expectedLogit(CommVqKeyCodebook codebook, CommVqLayerStore store, ModelShape shape,
                                          CommVqQueryRows q, int row, int pos) {
        int g = q.kvHead[row];
        int b = pos / 128;
        int t = pos % 128;
        float[] theta = codebook.theta(0, g);
        double norm = Float.float16ToFloat(store.keyNorms(b)[t]);
        double[] omega = shape.rope().frequencies(HEAD_DIM);
        double dot = 0;
        double keySq = 0;
        double querySq = 0;
        for (int p = 0; p < PAIRS; p++) {
            double kx = 0;
            double ky = 0;
            for (int r = 0; r < codebook.stages(); r++) {
                int c = store.code(b, g, t, r);
                int base = ((r * PAIRS + p) * 64) * 2;
                kx += theta[base + 2 * (c / 64)] - theta[base + 2 * (c % 64) + 1];
                ky += theta[base + 2 * (c / 64) + 1] + theta[base + 2 * (c % 64)];
            }
            kx *= norm;
            ky *= norm;
            double cos = Math.cos(pos * omega[p]);
            double sin = Math.sin(pos * omega[p]);
            double rx = kx * cos - ky * sin;
            double ry = kx * sin + ky * cos;
            double qx = q.interleaved[row * HEAD_DIM + 2 * p];
            double qy = q.interleaved[row * HEAD_DIM + 2 * p + 1];
            dot += qx * rx + qy * ry;
            keySq += kx * kx + ky * ky;
            querySq += qx * qx + qy * qy;
        }
        return new double[] {dot * SCALE, Math.sqrt(keySq * querySq) * SCALE};
    }
}
