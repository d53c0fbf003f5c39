package org.commvq.cache.codebook;

import java.util.Arrays;

/**
 * One tensor of a codebook file: fp32 values in row-major order and their shape, of rank at least 1 (the safetensors
 * writer stores a shapeless tensor as one-dimensional, so a rank-0 tensor would not read back as written).
 */
public record CodebookTensor(float[] data, long[] shape) {

    public CodebookTensor {
        if (shape.length == 0) {
            throw new IllegalArgumentException("a codebook tensor needs at least one dimension");
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got "
                    + data.length);
        }
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int dim(int i) {
        return Math.toIntExact(shape[i]);
    }

    public int rank() {
        return shape.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CodebookTensor t && Arrays.equals(data, t.data) && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(data) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "CodebookTensor" + Arrays.toString(shape);
    }
}
