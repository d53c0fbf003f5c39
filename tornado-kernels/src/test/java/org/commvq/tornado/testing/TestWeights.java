package org.commvq.tornado.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.commvq.model.gguf.GgmlType;
import org.commvq.model.tensor.WeightMatrices;
import org.commvq.model.tensor.WeightMatrix;

/** Weight matrices built by the product's own encoders, so the tests multiply by exactly what a model file holds. */
public final class TestWeights {
    private TestWeights() {
    }

    public static WeightMatrix matrix(GgmlType type, float[] values, int rows, int cols) {
        MemorySegment data = Arena.ofAuto().allocate(type.byteSize((long) rows * cols), 8);
        WeightMatrices.encode(type, values, 0, rows * cols, data, 0);
        return WeightMatrices.create(type, data, rows, cols);
    }

    /** Σ_j |W[r][j]·x[j]| for each row: the scale of a float sum's rounding error. */
    public static double[] magnitudes(WeightMatrix m, float[] x) {
        double[] out = new double[m.rows()];
        float[] row = new float[m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            m.row(r, row, 0);
            double s = 0;
            for (int j = 0; j < row.length; j++) {
                s += Math.abs((double) row[j] * x[j]);
            }
            out[r] = s;
        }
        return out;
    }
}
