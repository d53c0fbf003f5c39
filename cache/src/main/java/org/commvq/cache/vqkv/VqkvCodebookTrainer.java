package org.commvq.cache.vqkv;

import java.util.Random;
import org.commvq.cache.Workers;

/**
 * Trains a VQKV residual codebook by k-means, stage after stage: stage i clusters the residuals that stages 0..i-1
 * leave, and the residuals are then updated with the same greedy nearest-codeword rule the cache encodes with.
 * This is plain residual k-means, not the paper's RSimVQ gradient training (whose β, γ and shapes are unknown):
 * it produces the effective codebooks C_i the cache needs, with stage sizes chosen by the caller.
 *
 * <p>Each stage's centers are the means of their last assignment, so no stage can increase the error: the error
 * after a stage is at most Σ‖r‖² over each cluster measured from its mean, which is at most the error before it.
 */
public final class VqkvCodebookTrainer {
    private VqkvCodebookTrainer() {
    }

    /** How the centers of a stage start. */
    public enum Init { KMEANS_PLUS_PLUS, RANDOM }

    /**
     * @param stageSizes codewords per stage (S_i), e.g. 56 × 1024 for keys
     * @param iterations most Lloyd steps per stage (a stage stops early once no assignment changes)
     * @param seed       everything random derives from it
     */
    public record Settings(int[] stageSizes, int iterations, long seed, Init init) {
        public Settings {
            if (stageSizes.length == 0) {
                throw new IllegalArgumentException("at least one stage is needed");
            }
            for (int s : stageSizes) {
                if (s < 1) {
                    throw new IllegalArgumentException("stage sizes must be positive, got " + s);
                }
            }
            if (iterations < 0) {
                throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
            }
            stageSizes = stageSizes.clone();
        }
    }

    /**
     * @param codebook     the trained quantizer
     * @param initialError mean squared element of the data (the error of quantizing everything to zero)
     * @param stageErrors  mean squared error per element after each stage
     */
    public record Result(ResidualCodebook codebook, double initialError, double[] stageErrors) {
    }

    /** Trains on {@code vectors}: rows of {@code dim} floats (e.g. one head's pre-RoPE keys per row). */
    public static Result train(float[] vectors, int dim, Settings settings) {
        if (dim < 1 || vectors.length % dim != 0 || vectors.length == 0) {
            throw new IllegalArgumentException("training data of " + vectors.length + " floats is not whole rows of "
                    + dim);
        }
        int n = vectors.length / dim;
        float[] residual = vectors.clone();
        int stages = settings.stageSizes().length;
        Codewords[] books = new Codewords[stages];
        double[] errors = new double[stages];
        double initial = meanSquare(residual);
        for (int i = 0; i < stages; i++) {
            Random rnd = new Random(settings.seed() * 0x9E3779B97F4A7C15L + i);
            Codewords book = KMeans.fit(residual, n, dim, settings.stageSizes()[i], settings.iterations(),
                    settings.init(), rnd);
            Workers.parallelFor(n, 64, r -> book.subtract(book.nearest(residual, r * dim), residual, r * dim));
            books[i] = book;
            errors[i] = meanSquare(residual);
        }
        return new Result(new ResidualCodebook(dim, books), initial, errors);
    }

    private static double meanSquare(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return s / x.length;
    }
}
