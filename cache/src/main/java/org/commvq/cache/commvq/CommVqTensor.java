package org.commvq.cache.commvq;

import java.util.Arrays;

/**
 * A named float array with its shape, as CommVQ codebooks hand their raw parameters to a file writer and take them
 * back from a reader. Row-major, last index fastest.
 */
public record CommVqTensor(int[] shape, float[] data) {

    public CommVqTensor {
        long size = 1;
        for (int s : shape) {
            if (s <= 0) {
                throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " has a non-positive size");
            }
            size *= s;
        }
        if (size != data.length) {
            throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " needs " + size
                    + " floats, got " + data.length);
        }
    }

    /** This tensor's data, after checking that its shape is the one expected under {@code name}. */
    public float[] require(String name, int... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(shape)
                    + ", expected " + Arrays.toString(expected));
        }
        return data;
    }
}
