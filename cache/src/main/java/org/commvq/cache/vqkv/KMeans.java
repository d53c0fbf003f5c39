package org.commvq.cache.vqkv;

import java.util.Arrays;
import java.util.Random;
import org.commvq.cache.Workers;

/**
 * Lloyd's k-means for one codebook stage. Every step is a function of the data and the random generator only:
 * assignments are computed per point, sums per cluster over its members in index order, and the random draws are
 * sequential, so the result does not depend on the thread count.
 */
final class KMeans {
    private static final int GRAIN = 64;

    private KMeans() {
    }

    /** Cluster centers of x (n rows of dim floats), k of them, after at most {@code iterations} Lloyd steps. */
    static Codewords fit(float[] x, int n, int dim, int k, int iterations, VqkvCodebookTrainer.Init init, Random rnd) {
        if (n < k) {
            throw new IllegalArgumentException("k-means with " + k + " centers needs at least " + k
                    + " training vectors, got " + n);
        }
        float[] centers = init == VqkvCodebookTrainer.Init.KMEANS_PLUS_PLUS
                ? plusPlus(x, n, dim, k, rnd) : randomRows(x, n, dim, k, rnd);
        int[] assignment = new int[n];
        Arrays.fill(assignment, -1);
        for (int it = 0; it < iterations; it++) {
            Codewords current = new Codewords(k, dim, centers);
            int[] next = new int[n];
            Workers.parallelFor(n, GRAIN, i -> next[i] = current.nearest(x, i * dim));
            if (Arrays.equals(next, assignment)) {
                break;
            }
            assignment = next;
            centers = means(x, n, dim, k, assignment, centers);
        }
        return new Codewords(k, dim, centers);
    }

    private static float[] randomRows(float[] x, int n, int dim, int k, Random rnd) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        float[] centers = new float[k * dim];
        for (int j = 0; j < k; j++) {
            int pick = j + rnd.nextInt(n - j);
            int tmp = order[j];
            order[j] = order[pick];
            order[pick] = tmp;
            System.arraycopy(x, order[j] * dim, centers, j * dim, dim);
        }
        return centers;
    }

    /** k-means++ seeding: each next center is a point drawn with probability proportional to D². */
    private static float[] plusPlus(float[] x, int n, int dim, int k, Random rnd) {
        float[] centers = new float[k * dim];
        double[] minDist = new double[n];
        Arrays.fill(minDist, Double.POSITIVE_INFINITY);
        int pick = rnd.nextInt(n);
        for (int j = 0; j < k; j++) {
            System.arraycopy(x, pick * dim, centers, j * dim, dim);
            int c = j * dim;
            Workers.parallelFor(n, GRAIN, i -> minDist[i] = Math.min(minDist[i], squaredDistance(x, i * dim, centers, c, dim)));
            if (j + 1 == k) {
                break;
            }
            double total = 0;
            for (double d : minDist) {
                total += d;
            }
            if (total == 0) {
                pick = rnd.nextInt(n);
                continue;
            }
            double r = rnd.nextDouble() * total;
            pick = n - 1;
            for (int i = 0; i < n; i++) {
                r -= minDist[i];
                if (r < 0) {
                    pick = i;
                    break;
                }
            }
        }
        return centers;
    }

    /** Cluster means; an empty cluster takes the point farthest from its own center instead. */
    private static float[] means(float[] x, int n, int dim, int k, int[] assignment, float[] old) {
        int[] start = new int[k + 1];
        for (int a : assignment) {
            start[a + 1]++;
        }
        for (int j = 0; j < k; j++) {
            start[j + 1] += start[j];
        }
        int[] members = new int[n];
        int[] fill = Arrays.copyOf(start, k);
        for (int i = 0; i < n; i++) {
            members[fill[assignment[i]]++] = i;
        }
        float[] centers = new float[k * dim];
        Workers.parallelFor(k, 1, j -> {
            int count = start[j + 1] - start[j];
            if (count == 0) {
                return;
            }
            double[] sum = new double[dim];
            for (int m = start[j]; m < start[j + 1]; m++) {
                int row = members[m] * dim;
                for (int d = 0; d < dim; d++) {
                    sum[d] += x[row + d];
                }
            }
            for (int d = 0; d < dim; d++) {
                centers[j * dim + d] = (float) (sum[d] / count);
            }
        });
        reseedEmpty(x, n, dim, k, assignment, old, start, centers);
        return centers;
    }

    private static void reseedEmpty(float[] x, int n, int dim, int k, int[] assignment, float[] old, int[] start,
                                    float[] centers) {
        boolean any = false;
        for (int j = 0; j < k && !any; j++) {
            any = start[j + 1] == start[j];
        }
        if (!any) {
            return;
        }
        double[] dist = new double[n];
        Workers.parallelFor(n, GRAIN, i -> dist[i] = squaredDistance(x, i * dim, old, assignment[i] * dim, dim));
        boolean[] taken = new boolean[n];
        for (int j = 0; j < k; j++) {
            if (start[j + 1] != start[j]) {
                continue;
            }
            int far = -1;
            for (int i = 0; i < n; i++) {
                if (!taken[i] && (far < 0 || dist[i] > dist[far])) {
                    far = i;
                }
            }
            taken[far] = true;
            System.arraycopy(x, far * dim, centers, j * dim, dim);
        }
    }

    private static double squaredDistance(float[] a, int aOff, float[] b, int bOff, int dim) {
        double s = 0;
        for (int d = 0; d < dim; d++) {
            double diff = a[aOff + d] - b[bOff + d];
            s += diff * diff;
        }
        return s;
    }
}
