package org.commvq.cache.vqkv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.commvq.cache.Workers;
import org.junit.jupiter.api.Test;

class VqkvCodebookTrainerTest {
    private static final int DIM = 16;

    private static float[] data(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n * DIM];
        for (int i = 0; i < n; i++) {
            double cluster = rnd.nextInt(5);
            for (int d = 0; d < DIM; d++) {
                x[i * DIM + d] = (float) (rnd.nextGaussian() * (1 + d % 3) + cluster * (d % 2 == 0 ? 1 : -1));
            }
        }
        return x;
    }

    @Test
    void reconstructionErrorFallsWithEveryStage() {
        for (VqkvCodebookTrainer.Init init : VqkvCodebookTrainer.Init.values()) {
            float[] x = data(3000, 1);
            var settings = new VqkvCodebookTrainer.Settings(new int[] {32, 32, 16, 16, 8, 8}, 15, 42, init);
            var result = VqkvCodebookTrainer.train(x, DIM, settings);
            double previous = result.initialError();
            for (int i = 0; i < result.stageErrors().length; i++) {
                assertTrue(result.stageErrors()[i] < previous, init + " stage " + i + ": " + result.stageErrors()[i]
                        + " not below " + previous);
                previous = result.stageErrors()[i];
            }
            assertEquals(6, result.codebook().stages());
            assertArrayEquals(new int[] {32, 32, 16, 16, 8, 8}, result.codebook().sizes());
            assertEquals(result.stageErrors()[5], encodeError(result.codebook(), x), 1e-4 * result.stageErrors()[5],
                    "the cache's greedy encoder reaches the trainer's final error");
        }
    }

    private static double encodeError(ResidualCodebook book, float[] x) {
        int n = x.length / DIM;
        int[] codes = new int[book.stages()];
        float[] decoded = new float[DIM];
        double s = 0;
        for (int i = 0; i < n; i++) {
            book.encode(x, i * DIM, codes, 0);
            book.decode(codes, 0, decoded, 0);
            for (int d = 0; d < DIM; d++) {
                double e = x[i * DIM + d] - decoded[d];
                s += e * e;
            }
        }
        return s / x.length;
    }

    @Test
    void aSeedDeterminesTheCodebookWhateverTheThreadCount() {
        float[] x = data(2000, 2);
        var settings = new VqkvCodebookTrainer.Settings(new int[] {24, 12}, 10, 7,
                VqkvCodebookTrainer.Init.KMEANS_PLUS_PLUS);
        int threads = Workers.threads();
        try {
            Workers.setThreads(1);
            var single = VqkvCodebookTrainer.train(x, DIM, settings);
            Workers.setThreads(3);
            var multi = VqkvCodebookTrainer.train(x, DIM, settings);
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(single.codebook().codewords(i), multi.codebook().codewords(i));
            }
            var otherSeed = VqkvCodebookTrainer.train(x, DIM,
                    new VqkvCodebookTrainer.Settings(new int[] {24, 12}, 10, 8, VqkvCodebookTrainer.Init.KMEANS_PLUS_PLUS));
            assertFalse(Arrays.equals(single.codebook().codewords(0), otherSeed.codebook().codewords(0)));
        } finally {
            Workers.setThreads(threads);
        }
    }

    @Test
    void refusesTooFewVectorsForAStage() {
        float[] x = data(10, 3);
        var settings = new VqkvCodebookTrainer.Settings(new int[] {16}, 5, 1, VqkvCodebookTrainer.Init.RANDOM);
        assertThrows(IllegalArgumentException.class, () -> VqkvCodebookTrainer.train(x, DIM, settings));
    }
}
