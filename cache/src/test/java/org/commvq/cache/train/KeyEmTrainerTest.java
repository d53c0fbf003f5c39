package org.commvq.cache.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.commvq.cache.Workers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KeyEmTrainerTest {
    private static final int C = 16;
    private static final int PAIRS = 8;
    private static final int WIDTH = 2 * PAIRS;

    @AfterEach
    void restoreThreads() {
        Workers.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Spec oracle 8 (the numpy check commvq_hard_em_monotone.py): with one-hot weights and the exact weighted-LS
     * M-step, the hard MSE never increases.
     */
    @Test
    void hardEmNeverIncreasesTheLoss() {
        int n = 3000;
        SplittableRandom rnd = new SplittableRandom(1);
        float[] x = new float[n * WIDTH];
        for (int t = 0; t < n; t++) {
            double sq = 0;
            for (int i = 0; i < WIDTH; i++) {
                double v = rnd.nextGaussian() * (2 - 1.8 * i / (WIDTH - 1));
                x[t * WIDTH + i] = (float) v;
                sq += v * v;
            }
            for (int i = 0; i < WIDTH; i++) {
                x[t * WIDTH + i] /= (float) Math.sqrt(sq);
            }
        }
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        float[] theta = KeyEmInit.initialTheta(x, n, PAIRS, C, n, rnd);
        int[] codes = new int[n];
        double previous = Double.POSITIVE_INFINITY;
        for (int it = 0; it < 30; it++) {
            KeyEmStatistics stats = KeyEmTrainer.eStep(x, ones, n, new StageTables(theta, PAIRS, C), 0, codes);
            double loss = exactLoss(x, n, theta, codes);
            assertTrue(loss <= previous * (1 + 1e-6), "iteration " + it + ": loss " + loss + " after " + previous);
            previous = loss;
            theta = KeyMStep.solve(stats, PAIRS, theta);
        }
    }

    @Test
    void everyStageLowersTheError() {
        KeyHeadData data = KeyHeadData.of(TrainFixtures.rows(1500, 2 * WIDTH, 7), 1500, 2, 1, WIDTH);
        KeyEmTrainer.HeadResult r = KeyEmTrainer.train(data, new KeyEmTrainer.Settings(5, 8, C, 3, 256), 0, 1,
                s -> { });
        double[] loss = r.stageLoss();
        for (int s = 1; s < loss.length; s++) {
            assertTrue(loss[s] < loss[s - 1], "stage " + (s - 1) + ": " + loss[s] + " vs " + loss[s - 1]);
        }
        assertTrue(loss[loss.length - 1] < 0.5 * loss[0], "five stages should halve the error: " + loss[5]);
    }

    @Test
    void sameCodebookOnAnyThreadCount() {
        KeyHeadData data = KeyHeadData.of(TrainFixtures.rows(1200, WIDTH, 9), 1200, 1, 0, WIDTH);
        KeyEmTrainer.Settings s = new KeyEmTrainer.Settings(3, 6, C, 5, 300);
        Workers.setThreads(1);
        float[] one = KeyEmTrainer.train(data, s, 2, 0, r -> { }).theta();
        Workers.setThreads(3);
        float[] three = KeyEmTrainer.train(data, s, 2, 0, r -> { }).theta();
        assertArrayEquals(one, three);
    }

    @Test
    void separableDistancesMatchBruteForce() {
        SplittableRandom rnd = new SplittableRandom(2);
        float[] theta = new float[PAIRS * 2 * C];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = (float) (0.1 * rnd.nextGaussian());
        }
        StageTables tables = new StageTables(theta, PAIRS, C);
        float[] centers = DesignOracle.centers(theta, PAIRS, C);
        KeyDistances dist = new KeyDistances(PAIRS, C);
        float[] e = new float[WIDTH];
        for (int trial = 0; trial < 50; trial++) {
            for (int i = 0; i < WIDTH; i++) {
                e[i] = (float) (0.3 * rnd.nextGaussian());
            }
            float min = dist.compute(tables, e, 0);
            int best = 0;
            double bestD = Double.POSITIVE_INFINITY;
            for (int k = 0; k < C * C; k++) {
                double d = 0;
                for (int i = 0; i < WIDTH; i++) {
                    double diff = e[i] - centers[k * WIDTH + i];
                    d += diff * diff;
                }
                assertEquals(d, dist.d2[k], 1e-5);
                if (d < bestD) {
                    bestD = d;
                    best = k;
                }
            }
            assertEquals(best, dist.argmin(min), "trial " + trial);
        }
    }

    /** Σ_n ‖x_n − w(codes_n)‖² in double. */
    private static double exactLoss(float[] x, int n, float[] theta, int[] codes) {
        float[] centers = DesignOracle.centers(theta, PAIRS, C);
        double loss = 0;
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < WIDTH; i++) {
                double d = x[t * WIDTH + i] - centers[codes[t] * WIDTH + i];
                loss += d * d;
            }
        }
        return loss;
    }
}
