package org.commvq.cache.commvq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.commvq.cache.Workers;
import org.junit.jupiter.api.Test;

/** Spec §4 oracles 6 (fast search = brute force) and 7 (deterministic, per-token encoding) for keys; §3.3. */
class CommVqKeyEncoderTest {
    private static final int PAIRS = 64;
    private static final double TIE_GAP = 1e-6;

    @Test
    void fastSearchEqualsBruteForceOnTenThousandVectors() {
        CommVqKeyEncoder encoder = new CommVqKeyEncoder(CommVqFixtures.randomKeys(1, 1, 1, PAIRS, 11));
        assertFastEqualsBruteForce(encoder, 10_000, 12);
    }

    @Test
    void fastSearchEqualsBruteForceThroughElevenStages() {
        CommVqKeyEncoder encoder = new CommVqKeyEncoder(CommVqFixtures.randomKeys(1, 1, 11, PAIRS, 13));
        assertFastEqualsBruteForce(encoder, 300, 14);
    }

    @Test
    void blockEncodingEqualsPerTokenEncodingAndRepeats() {
        int heads = 4;
        int stages = 5;
        int width = heads * 2 * PAIRS;
        CommVqKeyEncoder encoder = new CommVqKeyEncoder(CommVqFixtures.randomKeys(2, heads, stages, PAIRS, 15));
        int tokens = 128;
        float[] keys = CommVqFixtures.gaussians(new SplittableRandom(16), tokens * width, 3.0);
        float[] norms = new float[tokens];
        int[] codes = new int[tokens * heads * stages];
        encoder.encode(1, keys, 0, tokens, norms, 0, codes, 0);
        int[] again = new int[codes.length];
        float[] againNorms = new float[tokens];
        int threads = Workers.threads();
        Workers.setThreads(1);
        try {
            encoder.encode(1, keys, 0, tokens, againNorms, 0, again, 0);
        } finally {
            Workers.setThreads(threads);
        }
        assertArrayEquals(codes, again);
        assertArrayEquals(norms, againNorms);
        for (int t = 0; t < tokens; t += 9) {
            int[] single = new int[heads * stages];
            float norm = encoder.encodeToken(1, keys, t * width, single, 0);
            assertEquals(norms[t], norm);
            for (int i = 0; i < single.length; i++) {
                assertEquals(codes[t * heads * stages + i], single[i], "token " + t);
            }
        }
    }

    @Test
    void normIsOverAllHeadsAndZeroKeyGetsZeroNorm() {
        int heads = 2;
        CommVqKeyEncoder encoder = new CommVqKeyEncoder(CommVqFixtures.randomKeys(1, heads, 3, PAIRS, 17));
        float[] key = CommVqFixtures.gaussians(new SplittableRandom(18), heads * 2 * PAIRS, 2.0);
        double sq = 0;
        for (float k : key) {
            sq += k * k;
        }
        int[] codes = new int[heads * 3];
        assertEquals(Math.sqrt(sq), encoder.encodeToken(0, key, 0, codes, 0), 1e-5 * Math.sqrt(sq));
        int[] headCodes = new int[3];
        float[] unit = new float[2 * PAIRS];
        for (int i = 0; i < unit.length; i++) {
            unit[i] = (float) (key[2 * PAIRS + i] / (float) Math.sqrt(sq));
        }
        encoder.encodeHead(0, 1, unit, 0, headCodes, 0);
        assertArrayEquals(headCodes, Arrays.copyOfRange(codes, 3, 6));
        float[] zero = new float[heads * 2 * PAIRS];
        assertEquals(0f, encoder.encodeToken(0, zero, 0, codes, 0));
        assertArrayEquals(new int[heads * 3], codes);
    }

    /**
     * Every stage's code must agree, except where the brute-force distances of the two choices differ by less than
     * the tie gap; the residuals part there, so the rest of that vector is not compared.
     */
    private static void assertFastEqualsBruteForce(CommVqKeyEncoder encoder, int vectors, long seed) {
        int stages = encoder.codebook().stages();
        float[] units = new float[vectors * 2 * PAIRS];
        SplittableRandom random = new SplittableRandom(seed);
        for (int v = 0; v < vectors; v++) {
            double norm = 0;
            for (int i = 0; i < 2 * PAIRS; i++) {
                units[v * 2 * PAIRS + i] = (float) CommVqFixtures.gaussian(random);
                norm += units[v * 2 * PAIRS + i] * units[v * 2 * PAIRS + i];
            }
            double target = 0.2 + 0.8 * random.nextDouble();
            for (int i = 0; i < 2 * PAIRS; i++) {
                units[v * 2 * PAIRS + i] *= (float) (target / Math.sqrt(norm));
            }
        }
        AtomicInteger ties = new AtomicInteger();
        AtomicInteger mismatches = new AtomicInteger();
        Workers.parallelFor(vectors, 16, v -> {
            int[] fast = new int[stages];
            int[] brute = new int[stages];
            encoder.encodeHead(0, 0, units, v * 2 * PAIRS, fast, 0);
            encoder.encodeHeadBruteForce(0, 0, units, v * 2 * PAIRS, brute, 0);
            double[] residual = new double[2 * PAIRS];
            for (int i = 0; i < residual.length; i++) {
                residual[i] = units[v * 2 * PAIRS + i];
            }
            for (int r = 0; r < stages; r++) {
                if (fast[r] != brute[r]) {
                    double gap = distance(encoder, r, residual, fast[r]) - distance(encoder, r, residual, brute[r]);
                    if (Math.abs(gap) < TIE_GAP) {
                        ties.incrementAndGet();
                    } else {
                        mismatches.incrementAndGet();
                    }
                    return;
                }
                subtractCodeword(encoder, r, fast[r], residual);
            }
        });
        assertEquals(0, mismatches.get(), "codes that differ from brute force away from a tie");
        assertTrue(ties.get() <= vectors / 1000, "near-ties: " + ties.get());
    }

    private static void subtractCodeword(CommVqKeyEncoder encoder, int r, int code, double[] residual) {
        float[] theta = encoder.codebook().theta(0, 0);
        int a = code / 64;
        int b = code % 64;
        for (int p = 0; p < PAIRS; p++) {
            int base = ((r * PAIRS + p) * 64) * 2;
            residual[2 * p] -= theta[base + 2 * a] - theta[base + 2 * b + 1];
            residual[2 * p + 1] -= theta[base + 2 * a + 1] + theta[base + 2 * b];
        }
    }

    private static double distance(CommVqKeyEncoder encoder, int r, double[] residual, int code) {
        float[] theta = encoder.codebook().theta(0, 0);
        int a = code / 64;
        int b = code % 64;
        double d = 0;
        for (int p = 0; p < PAIRS; p++) {
            int base = ((r * PAIRS + p) * 64) * 2;
            double dx = residual[2 * p] - (theta[base + 2 * a] - theta[base + 2 * b + 1]);
            double dy = residual[2 * p + 1] - (theta[base + 2 * a + 1] + theta[base + 2 * b]);
            d += dx * dx + dy * dy;
        }
        return d;
    }
}
