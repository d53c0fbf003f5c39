package org.commvq.cache.vqkv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Oracle 15 at the quantizer level, and the greedy search against brute force. */
class ResidualCodebookTest {
    private static final int DIM = 32;

    @Test
    void decodeOfEncodeIsTheSumOfTheChosenCodewords() {
        Random rnd = new Random(1);
        ResidualCodebook book = VqkvTestData.randomCodebook(rnd, DIM, 6, 100);
        int[] codes = new int[6];
        for (int trial = 0; trial < 200; trial++) {
            float[] x = gaussian(rnd, DIM);
            book.encode(x, 0, codes, 0);
            float[] expected = new float[DIM];
            for (int i = 0; i < 6; i++) {
                assertTrue(codes[i] >= 0 && codes[i] < book.size(i));
                float[] c = book.codewords(i);
                for (int d = 0; d < DIM; d++) {
                    expected[d] += c[codes[i] * DIM + d];
                }
            }
            float[] decoded = new float[DIM];
            book.decode(codes, 0, decoded, 0);
            assertArrayEquals(expected, decoded, 1e-6f);
        }
    }

    @Test
    void everyStagePicksTheNearestCodewordToItsResidual() {
        Random rnd = new Random(2);
        ResidualCodebook book = VqkvTestData.randomCodebook(rnd, DIM, 4, 64);
        int[] codes = new int[4];
        for (int trial = 0; trial < 2000; trial++) {
            float[] x = gaussian(rnd, DIM);
            book.encode(x, 0, codes, 0);
            double[] e = new double[DIM];
            for (int d = 0; d < DIM; d++) {
                e[d] = x[d];
            }
            for (int i = 0; i < 4; i++) {
                float[] c = book.codewords(i);
                double chosen = distance(e, c, codes[i]);
                for (int j = 0; j < book.size(i); j++) {
                    assertTrue(chosen <= distance(e, c, j) + 1e-5, "stage " + i + ": codeword " + j + " is nearer");
                }
                for (int d = 0; d < DIM; d++) {
                    e[d] -= c[codes[i] * DIM + d];
                }
            }
        }
    }

    @Test
    void encodingIsAFunctionOfTheVectorAlone() {
        Random rnd = new Random(3);
        ResidualCodebook book = VqkvTestData.randomCodebook(rnd, DIM, 5, 50);
        int n = 64;
        float[] batch = new float[n * DIM];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = (float) rnd.nextGaussian();
        }
        int[] together = new int[n * 5];
        for (int t = 0; t < n; t++) {
            book.encode(batch, t * DIM, together, t * 5);
        }
        for (int t = n - 1; t >= 0; t--) {
            int[] alone = new int[5];
            book.encode(Arrays.copyOfRange(batch, t * DIM, (t + 1) * DIM), 0, alone, 0);
            assertArrayEquals(Arrays.copyOfRange(together, t * 5, t * 5 + 5), alone);
        }
    }

    @Test
    void reportsSizesBitsAndRefusesBadIndices() {
        ResidualCodebook book = new ResidualCodebook(2, List.of(new float[2 * 1024], new float[2 * 512]));
        assertArrayEquals(new int[] {1024, 512}, book.sizes());
        assertEquals(19, book.bits());
        assertEquals(2 * 1536, book.parameters());
        assertThrows(IllegalArgumentException.class, () -> book.decode(new int[] {1024, 0}, 0, new float[2], 0));
        assertThrows(IllegalArgumentException.class, () -> new ResidualCodebook(2, List.of(new float[3])));
    }

    @Test
    void packedIndicesRoundTripAtAnyWidth() {
        Random rnd = new Random(4);
        int[] widths = new int[500];
        int[] values = new int[500];
        long bits = 0;
        for (int i = 0; i < widths.length; i++) {
            widths[i] = 1 + rnd.nextInt(31);
            values[i] = rnd.nextInt() & (int) ((1L << widths[i]) - 1);
            bits += widths[i];
        }
        byte[] a = new byte[(int) ((bits + 7) / 8)];
        Arrays.fill(a, (byte) 0x5A);
        long at = 0;
        for (int i = 0; i < widths.length; i++) {
            PackedIndices.write(a, at, widths[i], values[i]);
            at += widths[i];
        }
        at = 0;
        for (int i = 0; i < widths.length; i++) {
            assertEquals(values[i], PackedIndices.read(a, at, widths[i]), "index " + i);
            at += widths[i];
        }
    }

    private static double distance(double[] e, float[] c, int j) {
        double s = 0;
        for (int d = 0; d < e.length; d++) {
            double diff = e[d] - c[j * e.length + d];
            s += diff * diff;
        }
        return s;
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
