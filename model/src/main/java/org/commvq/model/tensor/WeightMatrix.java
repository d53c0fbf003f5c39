package org.commvq.model.tensor;

import org.commvq.cache.Workers;

/**
 * A read-only weight matrix of {@code rows × cols} stored row-major in one of the supported element types
 * (usually memory-mapped straight from the model file). Every type supplies a Vector API dot product and a plain
 * scalar twin used as its test oracle; the parallel products below are shared by all types.
 */
public abstract class WeightMatrix {
    protected final int rows;
    protected final int cols;

    protected WeightMatrix(int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("matrix shape must be positive, got " + rows + "x" + cols);
        }
        this.rows = rows;
        this.cols = cols;
    }

    public final int rows() {
        return rows;
    }

    public final int cols() {
        return cols;
    }

    /** Element type name as GGUF spells it (F32, F16, BF16, Q8_0, Q4_0). */
    public abstract String typeName();

    /** Bytes the stored matrix occupies. */
    public abstract long byteSize();

    /** Σ_j W[row][j]·x[xOff+j], Vector API. */
    public abstract float dot(int row, float[] x, int xOff);

    /** The same sum with plain scalar code: the oracle for {@link #dot}. */
    public abstract float dotScalar(int row, float[] x, int xOff);

    /** Dequantizes one row into dst[dstOff .. dstOff+cols). */
    public abstract void row(int row, float[] dst, int dstOff);

    /** out[r] = W[r]·x for every row, rows split over the worker pool. */
    public void matvec(float[] x, float[] out) {
        Workers.parallelFor(rows, 16, r -> out[r] = dot(r, x, 0));
    }

    /**
     * outs[m] = ms[m]·x[i] for every matrix, all taking the same n inputs (Q, K and V; gate and up). One token's
     * products run as one parallel loop over the rows of all of them: fewer loop starts, and no thread idles at the
     * end of the smaller ones.
     */
    public static void matmulAll(float[] x, int n, WeightMatrix[] ms, float[][] outs) {
        if (n > 1) {
            for (int m = 0; m < ms.length; m++) {
                ms[m].matmul(x, n, outs[m]);
            }
            return;
        }
        int[] starts = new int[ms.length + 1];
        for (int m = 0; m < ms.length; m++) {
            starts[m + 1] = starts[m] + ms[m].rows;
        }
        Workers.parallelFor(starts[ms.length], 16, r -> {
            int m = 0;
            while (r >= starts[m + 1]) {
                m++;
            }
            outs[m][r - starts[m]] = ms[m].dot(r - starts[m], x, 0);
        });
    }

    /**
     * out[i][r] = W[r]·x[i] for n input rows {@code x[n][cols]}, {@code out[n][rows]}. Each weight row is read once
     * for all n inputs, which is what makes batched prefill cheaper than n matrix-vector products.
     */
    public void matmul(float[] x, int n, float[] out) {
        if (n == 1) {
            matvec(x, out);
            return;
        }
        Workers.parallelFor(rows, 4, r -> {
            float[] w = new float[cols];
            row(r, w, 0);
            for (int i = 0; i < n; i++) {
                out[i * rows + r] = VectorMath.dot(w, 0, x, i * cols, cols);
            }
        });
    }
}
