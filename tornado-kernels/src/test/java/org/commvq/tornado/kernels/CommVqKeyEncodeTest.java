package org.commvq.tornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

import org.commvq.cache.commvq.CommVqKeyCodebook;
import org.commvq.cache.commvq.CommVqKeyEncoder;
import org.commvq.cache.commvq.CommVqSyntheticCodebooks;
import org.commvq.tornado.plan.Grids;
import org.commvq.tornado.testing.Kernels;
import org.commvq.tornado.testing.RequiresTornado;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The CommVQ key-encoding kernel against {@link CommVqKeyEncoder#encode} on the same fp16-rounded keys and random
 * codebooks, at the tiny-llama shapes (2 KV heads, 64 pairs, R = 11 and 21) and a small odd one (3 heads, 5 stages,
 * 8 pairs: an odd code count, so the last pair is padded). The tail holds 128 keys and position is 256, so block 1 is
 * encoded; blocks 0 and 2 hold sentinels that must survive.
 *
 * <p>Tolerances, and why:
 * <ul>
 *   <li>norms 1e-5 relative: both sum exact fp16 squares in double, only the order differs (in practice the norms
 *       are bit-equal);</li>
 *   <li>codes: at least 99% of the (token, head) code streams equal. The device runs the same float operations in
 *       the same order, but TornadoVM fuses a·b + c into fma and builds with OpenCL relaxed math, so a candidate within
 *       rounding of the winner can win instead; after that the residuals, and the rest of the stream, differ. Each
 *       differing stream must show that reason: at its first differing stage the exact (double) squared distances of
 *       the residual to the CPU's and the device's codeword are within 1e-5.</li>
 * </ul>
 */
@RequiresTornado
class CommVqKeyEncodeTest {
    private static final int BLOCK = CommVqDeviceLayout.BLOCK;
    private static final int BLOCKS = 3;
    private static final int ENCODED_BLOCK = 1;
    /** Slot whose key is all zeros: norm 0, codes 0. */
    private static final int ZERO_SLOT = 7;

    @ParameterizedTest(name = "kvHeads {0}, R {1}, pairs {2}, group {3}")
    @CsvSource({"2, 11, 64, 256", "2, 21, 64, 256", "3, 5, 8, 64", "3, 5, 8, 256"})
    void codesMatchTheCpuEncoder(int kvHeads, int stages, int pairs, int group) {
        CommVqKeyEncode.check(kvHeads, stages, pairs);
        CommVqKeyCodebook codebook = randomCodebook(kvHeads, stages, pairs, 17L * stages + pairs);
        int kvDim = kvHeads * 2 * pairs;
        float[] keys = randomKeys(new SplittableRandom(stages * 101L + kvHeads), kvDim);
        Device d = new Device(codebook, keys);
        d.run((ENCODED_BLOCK + 1) * BLOCK, group);

        float[] expectedNorms = new float[BLOCK];
        int[] expectedCodes = new int[BLOCK * kvHeads * stages];
        new CommVqKeyEncoder(codebook).encode(0, keys, 0, BLOCK, expectedNorms, 0, expectedCodes, 0);

        int tokenBytes = CommVqDeviceLayout.tokenCodeBytes(kvHeads, stages);
        double worstNorm = 0;
        for (int t = 0; t < BLOCK; t++) {
            float got = d.norms.get(ENCODED_BLOCK * BLOCK + t);
            double error = Math.abs((double) got - expectedNorms[t]);
            worstNorm = Math.max(worstNorm, expectedNorms[t] == 0 ? error : error / expectedNorms[t]);
            if (error > 1e-5 * Math.abs(expectedNorms[t])) {
                fail("norm of token " + t + " is " + got + ", expected " + expectedNorms[t]);
            }
        }
        assertEquals(0f, d.norms.get(ENCODED_BLOCK * BLOCK + ZERO_SLOT), "the zero key's norm");

        float[] theta = codebook.layerTheta(0);
        // The near-tie check below is only as good as distances(): the CPU's code must beat its neighbours there.
        for (int r = 0; r < stages; r++) {
            int cpu = expectedCodes[r];
            for (int other : new int[] {cpu ^ 1, cpu ^ 64, 4095 - cpu}) {
                double[] dd = distances(theta, kvHeads, stages, pairs, keys, 0, 0, expectedNorms[0], expectedCodes, 0,
                        r, other);
                assertTrue(dd[0] <= dd[1] + 1e-6, "distances() disagrees with the CPU encoder at stage " + r);
            }
        }
        int streams = BLOCK * kvHeads;
        int equal = 0;
        int equalCodes = 0;
        double worstGap = 0;
        for (int t = 0; t < BLOCK; t++) {
            int base = (ENCODED_BLOCK * BLOCK + t) * tokenBytes;
            for (int h = 0; h < kvHeads; h++) {
                int firstDiff = -1;
                int[] got = new int[stages];
                for (int r = 0; r < stages; r++) {
                    got[r] = CommVqDeviceLayout.readCode(d.codes, base, h * stages + r);
                    int want = expectedCodes[(t * kvHeads + h) * stages + r];
                    if (got[r] == want) {
                        equalCodes++;
                    } else if (firstDiff < 0) {
                        firstDiff = r;
                    }
                }
                if (firstDiff < 0) {
                    equal++;
                    continue;
                }
                double[] gaps = distances(theta, kvHeads, stages, pairs, keys, t, h, expectedNorms[t],
                        expectedCodes, (t * kvHeads + h) * stages, firstDiff, got[firstDiff]);
                double gap = Math.abs(gaps[0] - gaps[1]);
                worstGap = Math.max(worstGap, gap);
                assertTrue(gap <= 1e-5, "token " + t + " head " + h + " stage " + firstDiff + ": device code "
                        + got[firstDiff] + " at distance² " + gaps[1] + ", CPU code "
                        + expectedCodes[(t * kvHeads + h) * stages + firstDiff] + " at " + gaps[0]
                        + ": not a near-tie");
            }
            if ((kvHeads * stages & 1) == 1) {
                assertEquals(0, CommVqDeviceLayout.readCode(d.codes, base, kvHeads * stages),
                        "padding code of token " + t);
            }
        }
        System.err.printf("[CommVqKeyEncodeTest] kvHeads %d R %d pairs %d group %d: %d/%d streams equal (%.2f%%),"
                        + " %d/%d codes equal, worst distance gap %.2e, worst norm error %.2e%n", kvHeads, stages,
                pairs, group, equal, streams, 100.0 * equal / streams, equalCodes, streams * stages, worstGap,
                worstNorm);
        assertTrue(equal >= 0.99 * streams, equal + " of " + streams + " code streams equal, expected at least 99%");
        for (int h = 0; h < kvHeads; h++) {
            for (int r = 0; r < stages; r++) {
                int at = (ENCODED_BLOCK * BLOCK + ZERO_SLOT) * tokenBytes;
                assertEquals(0, CommVqDeviceLayout.readCode(d.codes, at, h * stages + r), "the zero key's codes");
            }
        }
        d.assertBlocksUntouched(ENCODED_BLOCK);
    }

    @ParameterizedTest(name = "position {0}")
    @CsvSource({"100", "0", "255", "257"})
    void otherPositionsLeaveEveryOutputUntouched(int position) {
        CommVqKeyCodebook codebook = randomCodebook(3, 5, 8, 3);
        Device d = new Device(codebook, randomKeys(new SplittableRandom(4), 48));
        d.run(position, 256);
        d.assertBlocksUntouched(-1);
    }

    @Test
    void checkNamesTheLimit() {
        assertThrows(IllegalArgumentException.class, () -> CommVqKeyEncode.check(17, 21, 64));
        assertThrows(IllegalArgumentException.class, () -> CommVqKeyEncode.check(8, 33, 64));
        assertThrows(IllegalArgumentException.class, () -> CommVqKeyEncode.check(8, 21, 65));
        assertThrows(IllegalArgumentException.class, () -> CommVqKeyEncode.checkGroup(32));
        assertThrows(IllegalArgumentException.class, () -> CommVqKeyEncode.checkGroup(192));
        CommVqKeyEncode.check(CommVqKeyEncode.MAX_KV_HEADS, CommVqKeyEncode.MAX_STAGES, CommVqKeyEncode.MAX_PAIRS);
        CommVqKeyEncode.checkGroup(256);
    }

    /** The device arrays of one layer: three blocks of sentinels, the tail, the codebook tables. */
    private static final class Device {
        final int kvHeads;
        final int stages;
        final int pairs;
        final int tokenBytes;
        final FloatArray tail;
        final FloatArray rows;
        final FloatArray cross;
        final FloatArray energy;
        final ByteArray codes;
        final FloatArray norms;
        final byte[] codeSentinel;
        final float[] normSentinel;

        Device(CommVqKeyCodebook codebook, float[] keys) {
            kvHeads = codebook.kvHeads();
            stages = codebook.stages();
            pairs = codebook.pairs();
            tokenBytes = CommVqDeviceLayout.tokenCodeBytes(kvHeads, stages);
            tail = FloatArray.fromArray(keys);
            rows = FloatArray.fromArray(codebook.layerRows(0));
            cross = FloatArray.fromArray(codebook.layerCross(0));
            energy = FloatArray.fromArray(codebook.layerEnergy(0));
            SplittableRandom random = new SplittableRandom(99);
            codeSentinel = new byte[BLOCKS * BLOCK * tokenBytes];
            for (int i = 0; i < codeSentinel.length; i++) {
                codeSentinel[i] = (byte) random.nextInt(256);
            }
            normSentinel = new float[BLOCKS * BLOCK];
            for (int i = 0; i < normSentinel.length; i++) {
                normSentinel[i] = -1f - i;
            }
            codes = ByteArray.fromArray(codeSentinel);
            norms = FloatArray.fromArray(normSentinel);
        }

        void run(int position, int group) {
            CommVqKeyEncode.checkGroup(group);
            IntArray pos = IntArray.fromElements(position);
            TaskGraph graph = new TaskGraph(Kernels.graphName("keyEncode"))
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, tail, rows, cross, energy, codes, norms, pos)
                    .task("t", CommVqKeyEncode::encode, new KernelContext(), tail, rows, cross, energy, codes, norms,
                            pos, kvHeads, stages, pairs)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, codes, norms);
            Kernels.runOnce(graph, Grids.perGroup(BLOCK, group));
        }

        /** Every token outside block {@code written} (−1: every token) still holds its sentinel. */
        void assertBlocksUntouched(int written) {
            for (int token = 0; token < BLOCKS * BLOCK; token++) {
                if (token / BLOCK == written) {
                    continue;
                }
                assertEquals(normSentinel[token], norms.get(token), "norm of token " + token);
                for (int i = token * tokenBytes; i < (token + 1) * tokenBytes; i++) {
                    assertEquals(codeSentinel[i], codes.get(i), "code byte " + i + " of token " + token);
                }
            }
        }
    }

    /**
     * Exact squared distances, in double, from the residual of head h of token t before stage r (the unit slice less
     * the CPU's codewords of stages 0..r−1) to the CPU's codeword of stage r ([0]) and to codeword {@code other} ([1]).
     */
    private static double[] distances(float[] theta, int kvHeads, int stages, int pairs, float[] keys, int t, int h,
                                      float norm, int[] codes, int codesOff, int r, int other) {
        int kvDim = kvHeads * 2 * pairs;
        double[] ex = new double[pairs];
        double[] ey = new double[pairs];
        for (int p = 0; p < pairs; p++) {
            ex[p] = keys[t * kvDim + h * 2 * pairs + 2 * p] / norm;
            ey[p] = keys[t * kvDim + h * 2 * pairs + 2 * p + 1] / norm;
        }
        for (int s = 0; s < r; s++) {
            int a = codes[codesOff + s] / 64;
            int b = codes[codesOff + s] % 64;
            for (int p = 0; p < pairs; p++) {
                int base = (((h * stages + s) * pairs + p) * 64) * 2;
                ex[p] -= (double) theta[base + 2 * a] - theta[base + 2 * b + 1];
                ey[p] -= (double) theta[base + 2 * a + 1] + theta[base + 2 * b];
            }
        }
        int[] candidates = {codes[codesOff + r], other};
        double[] out = new double[2];
        for (int c = 0; c < 2; c++) {
            int a = candidates[c] / 64;
            int b = candidates[c] % 64;
            double d = 0;
            for (int p = 0; p < pairs; p++) {
                int base = (((h * stages + r) * pairs + p) * 64) * 2;
                double dx = ex[p] - ((double) theta[base + 2 * a] - theta[base + 2 * b + 1]);
                double dy = ey[p] - ((double) theta[base + 2 * a + 1] + theta[base + 2 * b]);
                d += dx * dx + dy * dy;
            }
            out[c] = d;
        }
        return out;
    }

    static CommVqKeyCodebook randomCodebook(int kvHeads, int stages, int pairs, long seed) {
        return CommVqSyntheticCodebooks.keys(1, kvHeads, stages, pairs, seed);
    }

    /**
     * 128 keys of kvDim Gaussian entries, each token at its own scale (0.05 to 20) and a few outlier channels,
     * rounded to fp16 as the CPU cache stores its tail; slot {@link #ZERO_SLOT} is all zeros.
     */
    static float[] randomKeys(SplittableRandom random, int kvDim) {
        float[] keys = new float[BLOCK * kvDim];
        for (int t = 0; t < BLOCK; t++) {
            double scale = 0.05 * Math.pow(400, random.nextDouble());
            for (int i = 0; i < kvDim; i++) {
                double outlier = i % 37 == 5 ? 6 : 1;
                keys[t * kvDim + i] = fp16((float) (gaussian(random) * scale * outlier));
            }
        }
        for (int i = 0; i < kvDim; i++) {
            keys[ZERO_SLOT * kvDim + i] = 0f;
        }
        return keys;
    }

    static float fp16(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    static double gaussian(SplittableRandom random) {
        return CommVqSyntheticCodebooks.gaussian(random);
    }
}
