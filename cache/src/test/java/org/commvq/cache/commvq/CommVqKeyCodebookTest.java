package org.commvq.cache.commvq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Spec §4 oracles 2 (commutativity) and 3 (codeword construction, TᵀT = 128·I), and the derived tables. */
class CommVqKeyCodebookTest {

    @Test
    void scaledRotationBlocksCommuteWithRotations() {
        SplittableRandom random = new SplittableRandom(1);
        for (int trial = 0; trial < 1000; trial++) {
            double x = CommVqFixtures.gaussian(random);
            double y = CommVqFixtures.gaussian(random);
            double phi = random.nextDouble() * 2 * Math.PI;
            double[][] m = {{x, y}, {-y, x}};
            double[][] rot = {{Math.cos(phi), -Math.sin(phi)}, {Math.sin(phi), Math.cos(phi)}};
            double[][] mr = multiply(m, rot);
            double[][] rm = multiply(rot, m);
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    assertEquals(rm[i][j], mr[i][j], 1e-12);
                }
            }
        }
    }

    @Test
    void ropeOfDecodedKeyEqualsDecodeWithRotatedCodebook() {
        int pairs = 64;
        CommVqKeyCodebook codebook = CommVqFixtures.randomKeys(1, 1, 3, pairs, 2);
        double[] omega = CommVqFixtures.LLAMA31.frequencies(2 * pairs);
        int[] codes = {17, 4095, 2222};
        int n = 98765;
        float[] key = new float[2 * pairs];
        codebook.decodeHead(0, 0, codes, 0, 1f, key, 0);
        float[] theta = codebook.layerTheta(0);
        for (int p = 0; p < pairs; p++) {
            double c = Math.cos(n * omega[p]);
            double s = Math.sin(n * omega[p]);
            double rotatedX = key[2 * p] * c - key[2 * p + 1] * s;
            double rotatedY = key[2 * p] * s + key[2 * p + 1] * c;
            double sumX = 0;
            double sumY = 0;
            for (int r = 0; r < codes.length; r++) {
                int base = ((r * pairs + p) * 64) * 2;
                int a = codes[r] / 64;
                int b = codes[r] % 64;
                double[] za = rotate(theta[base + 2 * a], theta[base + 2 * a + 1], c, s);
                double[] zb = rotate(theta[base + 2 * b], theta[base + 2 * b + 1], c, s);
                sumX += za[0] - zb[1];
                sumY += za[1] + zb[0];
            }
            assertEquals(sumX, rotatedX, 1e-5, "pair " + p);
            assertEquals(sumY, rotatedY, 1e-5, "pair " + p);
        }
    }

    @Test
    void designMatrixIsOrthogonalWith128() {
        int entries = 64;
        int[][] t = new int[2 * entries * entries][2 * entries];
        for (int a = 0; a < entries; a++) {
            for (int b = 0; b < entries; b++) {
                int c = a * entries + b;
                t[2 * c][2 * a] += 1;
                t[2 * c][2 * b + 1] -= 1;
                t[2 * c + 1][2 * b] += 1;
                t[2 * c + 1][2 * a + 1] += 1;
            }
        }
        for (int i = 0; i < 2 * entries; i++) {
            for (int j = 0; j < 2 * entries; j++) {
                long s = 0;
                for (int[] row : t) {
                    s += (long) row[i] * row[j];
                }
                assertEquals(i == j ? 128 : 0, s, "(TᵀT)[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void codewordsAreTheDesignMatrixTimesTheta() {
        int pairs = 64;
        CommVqKeyCodebook codebook = CommVqFixtures.randomKeys(1, 2, 1, pairs, 3);
        float[] theta = codebook.layerTheta(0);
        int headSize = pairs * 128;
        for (int c : new int[] {0, 1, 63, 64, 65, 2080, 4095}) {
            int a = c / 64;
            int b = c % 64;
            float[] w = new float[2 * pairs];
            codebook.decodeHead(0, 1, new int[] {c}, 0, 1f, w, 0);
            for (int p = 0; p < pairs; p++) {
                double[] phi = new double[128];
                for (int j = 0; j < 64; j++) {
                    phi[2 * j] = theta[headSize + (p * 64 + j) * 2];
                    phi[2 * j + 1] = theta[headSize + (p * 64 + j) * 2 + 1];
                }
                double even = phi[2 * a] - phi[2 * b + 1];
                double odd = phi[2 * b] + phi[2 * a + 1];
                assertEquals(even, w[2 * p], 1e-6 * Math.max(1, Math.abs(even)), "code " + c + " pair " + p);
                assertEquals(odd, w[2 * p + 1], 1e-6 * Math.max(1, Math.abs(odd)), "code " + c + " pair " + p);
            }
        }
    }

    @Test
    void crossAndEnergyTablesMatchTheirDefinitions() {
        int pairs = 64;
        CommVqKeyCodebook codebook = CommVqFixtures.randomKeys(1, 1, 2, pairs, 4);
        float[] theta = codebook.theta(0, 0);
        for (int r = 0; r < 2; r++) {
            for (int a = 0; a < 64; a += 7) {
                double energy = 0;
                for (int p = 0; p < pairs; p++) {
                    int base = ((r * pairs + p) * 64 + a) * 2;
                    energy += (double) theta[base] * theta[base] + (double) theta[base + 1] * theta[base + 1];
                }
                assertEquals(energy, codebook.energy(0, 0)[r * 64 + a], 1e-6 * energy);
                for (int b = 0; b < 64; b += 5) {
                    double x = 0;
                    for (int p = 0; p < pairs; p++) {
                        int base = ((r * pairs + p) * 64) * 2;
                        x += 2 * ((double) theta[base + 2 * a + 1] * theta[base + 2 * b]
                                - (double) theta[base + 2 * a] * theta[base + 2 * b + 1]);
                    }
                    assertEquals(x, codebook.cross(0, 0)[r * 4096 + a * 64 + b], 1e-6);
                }
            }
        }
    }

    @Test
    void tensorsRoundTrip() {
        CommVqKeyCodebook codebook = CommVqFixtures.randomKeys(2, 3, 2, 8, 5);
        Map<String, CommVqTensor> tensors = codebook.toTensors();
        assertArrayEquals(new int[] {3, 2, 8, 64, 2}, tensors.get("layers.1.key_theta").shape());
        CommVqKeyCodebook back = CommVqKeyCodebook.fromTensors(tensors, 2);
        assertArrayEquals(codebook.layerTheta(1), back.layerTheta(1));
        assertArrayEquals(codebook.cross(1, 2), back.cross(1, 2));
        assertThrows(IllegalArgumentException.class, () -> CommVqKeyCodebook.fromTensors(tensors, 3));
    }

    private static double[] rotate(double x, double y, double c, double s) {
        return new double[] {x * c - y * s, x * s + y * c};
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        double[][] out = new double[2][2];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                out[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j];
            }
        }
        return out;
    }
}
