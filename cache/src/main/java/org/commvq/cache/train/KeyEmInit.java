package org.commvq.cache.train;

import java.util.Arrays;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.commvq.cache.Workers;

/**
 * The start of each key EM stage (spec §1.4): C² random rows of the residuals as unconstrained centers, one soft
 * E-step at τ = 1 with Euclidean distances, then one M-step, which projects onto the commutative structure. The
 * E-step looks at an evenly spaced subsample of at most {@code initTokens} tokens.
 */
final class KeyEmInit {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int TOKENS_PER_TASK = 64;

    private KeyEmInit() {
    }

    static float[] initialTheta(float[] residual, int n, int pairs, int entries, int initTokens,
                                SplittableRandom rnd) {
        int width = 2 * pairs;
        int centers = entries * entries;
        float[] transposed = new float[width * centers];
        float[] centerSq = new float[centers];
        for (int c = 0; c < centers; c++) {
            int row = rnd.nextInt(n) * width;
            double sq = 0;
            for (int d = 0; d < width; d++) {
                float v = residual[row + d];
                transposed[d * centers + c] = v;
                sq += (double) v * v;
            }
            centerSq[c] = (float) sq;
        }
        int sample = Math.min(n, initTokens);
        int tasks = (sample + TOKENS_PER_TASK - 1) / TOKENS_PER_TASK;
        KeyEmStatistics[] parts = new KeyEmStatistics[tasks];
        Workers.parallelFor(tasks, 1, task -> {
            KeyEmStatistics stats = new KeyEmStatistics(entries, pairs);
            float[] dot = new float[centers];
            double[] weights = new double[centers];
            int[] all = new int[centers];
            for (int c = 0; c < centers; c++) {
                all[c] = c;
            }
            int end = Math.min(sample, (task + 1) * TOKENS_PER_TASK);
            for (int i = task * TOKENS_PER_TASK; i < end; i++) {
                int off = (int) ((long) i * n / sample) * width;
                dots(residual, off, width, transposed, centers, dot);
                double e2 = 0;
                for (int d = 0; d < width; d++) {
                    e2 += (double) residual[off + d] * residual[off + d];
                }
                double dMin = Double.POSITIVE_INFINITY;
                for (int c = 0; c < centers; c++) {
                    double dist = Math.sqrt(Math.max(0, e2 - 2.0 * dot[c] + centerSq[c]));
                    weights[c] = dist;
                    dMin = Math.min(dMin, dist);
                }
                double sum = 0;
                for (int c = 0; c < centers; c++) {
                    weights[c] = Math.exp(-(weights[c] - dMin));
                    sum += weights[c];
                }
                for (int c = 0; c < centers; c++) {
                    weights[c] /= sum;
                }
                stats.add(residual, off, all, weights, centers);
            }
            parts[task] = stats;
        });
        KeyEmStatistics total = new KeyEmStatistics(entries, pairs);
        for (KeyEmStatistics part : parts) {
            total.merge(part);
        }
        return KeyMStep.solve(total, pairs, new float[pairs * 2 * entries]);
    }

    /** dot[c] = e·center_c, one lane per center (no cross-lane sums). */
    private static void dots(float[] x, int off, int width, float[] transposed, int centers, float[] dot) {
        Arrays.fill(dot, 0f);
        for (int d = 0; d < width; d++) {
            FloatVector e = FloatVector.broadcast(SPECIES, x[off + d]);
            int row = d * centers;
            for (int c = 0; c < centers; c += LANES) {
                FloatVector.fromArray(SPECIES, transposed, row + c).fma(e, FloatVector.fromArray(SPECIES, dot, c))
                        .intoArray(dot, c);
            }
        }
    }
}
