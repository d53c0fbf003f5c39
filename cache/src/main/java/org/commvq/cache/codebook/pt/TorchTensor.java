package org.commvq.cache.codebook.pt;

import java.util.Arrays;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a view (offset, sizes, strides) into a storage.
 * The view is checked against the storage when built, so reading it can never leave the blob.
 */
public final class TorchTensor {
    private final TorchStorage storage;
    private final long offset;
    private final int[] shape;
    private final long[] stride;
    private final int numel;

    TorchTensor(TorchStorage storage, long offset, long[] sizes, long[] strides) {
        if (sizes.length != strides.length) {
            throw new IllegalArgumentException("tensor has " + sizes.length + " sizes but " + strides.length + " strides");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("tensor storage offset " + offset + " is negative");
        }
        this.shape = new int[sizes.length];
        long count = 1;
        long last = offset;
        for (int d = 0; d < sizes.length; d++) {
            if (sizes[d] < 0 || strides[d] < 0 || sizes[d] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("tensor size " + sizes[d] + " or stride " + strides[d]
                        + " is out of range");
            }
            shape[d] = (int) sizes[d];
            count = Math.multiplyExact(count, sizes[d]);
            if (sizes[d] > 0) {
                last = Math.addExact(last, Math.multiplyExact(sizes[d] - 1, strides[d]));
            }
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of " + count + " elements is too large");
        }
        if (count > 0 && last >= storage.numel()) {
            throw new IllegalArgumentException("tensor view " + Arrays.toString(sizes) + " at offset " + offset
                    + " reaches element " + last + " of a storage of " + storage.numel());
        }
        this.storage = storage;
        this.offset = offset;
        this.stride = strides.clone();
        this.numel = (int) count;
    }

    public TorchDtype dtype() {
        return storage.dtype();
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public int numel() {
        return numel;
    }

    /** The elements in row-major order, as floats. */
    public float[] floats() {
        float[] out = new float[numel];
        int[] index = new int[shape.length];
        long at = offset;
        for (int i = 0; i < numel; i++) {
            out[i] = storage.floatAt(at);
            at = advance(index, at);
        }
        return out;
    }

    /** The elements in row-major order of an integer tensor. */
    public long[] longs() {
        long[] out = new long[numel];
        int[] index = new int[shape.length];
        long at = offset;
        for (int i = 0; i < numel; i++) {
            out[i] = storage.longAt(at);
            at = advance(index, at);
        }
        return out;
    }

    /** The single element of a tensor of one element (a 0-d loss, say). */
    public double item() {
        if (numel != 1) {
            throw new IllegalStateException("tensor " + Arrays.toString(shape) + " has " + numel + " elements, not 1");
        }
        return storage.floatAt(offset);
    }

    /** Steps the row-major multi-index and returns the storage position of the next element. */
    private long advance(int[] index, long at) {
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d]++;
            at += stride[d];
            if (index[d] < shape[d]) {
                return at;
            }
            at -= (long) index[d] * stride[d];
            index[d] = 0;
        }
        return at;
    }

    @Override
    public String toString() {
        return "tensor " + dtype().dtypeName() + Arrays.toString(shape);
    }
}
