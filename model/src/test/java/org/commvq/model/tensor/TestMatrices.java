package org.commvq.model.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.commvq.model.gguf.GgmlType;

/** Random weights encoded into native memory, the way a mapped model file presents them. */
final class TestMatrices {
    private TestMatrices() {
    }

    static float[] gaussian(Random random, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian() * scale;
        }
        return v;
    }

    static MemorySegment encode(GgmlType type, float[] values, Arena arena) {
        MemorySegment segment = arena.allocate(type.byteSize(values.length), 64);
        WeightMatrices.encode(type, values, 0, values.length, segment, 0);
        return segment;
    }

    /** Σ|w·x| over a row: the scale a float rounding error of a dot product is proportional to. */
    static double magnitude(float[] w, int wOff, float[] x, int xOff, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.abs((double) w[wOff + i] * x[xOff + i]);
        }
        return s;
    }

    static double exactDot(float[] w, int wOff, float[] x, int xOff, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) w[wOff + i] * x[xOff + i];
        }
        return s;
    }
}
