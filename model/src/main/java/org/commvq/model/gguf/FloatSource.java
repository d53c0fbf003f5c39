package org.commvq.model.gguf;

/**
 * Supplies a tensor's float values to {@link GgufWriter} a chunk at a time, so that a model far larger than the heap
 * can be written: the writer asks for consecutive ranges, in order, and encodes each before asking for the next.
 */
@FunctionalInterface
public interface FloatSource {
    /**
     * Writes values [first, first+count) of the tensor into dst[0..count). Values are in row-major order with the
     * innermost dimension (dims[0]) varying fastest, as ggml stores them.
     */
    void fill(long first, float[] dst, int count);

    static FloatSource of(float[] values) {
        return (first, dst, count) -> System.arraycopy(values, Math.toIntExact(first), dst, 0, count);
    }
}
