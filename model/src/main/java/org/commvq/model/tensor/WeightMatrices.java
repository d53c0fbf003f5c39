package org.commvq.model.tensor;

import java.lang.foreign.MemorySegment;

import org.commvq.model.gguf.GgmlType;

/** Weights in ggml byte layouts: matrix views over them, and conversion from and to float32. */
public final class WeightMatrices {
    private WeightMatrices() {
    }

    /** A rows × cols matrix over data, which must hold exactly the matrix's bytes in the type's layout. */
    public static WeightMatrix create(GgmlType type, MemorySegment data, int rows, int cols) {
        return switch (type) {
            case F32 -> new F32Matrix(data, rows, cols);
            case F16 -> new F16Matrix(data, rows, cols);
            case BF16 -> new BF16Matrix(data, rows, cols);
            case Q8_0 -> new Q8_0Matrix(data, rows, cols);
            case Q4_0 -> new Q4_0Matrix(data, rows, cols);
            default -> throw unsupported(type);
        };
    }

    /** Decodes the first n values of data (n a multiple of the type's block size). */
    public static float[] toFloats(GgmlType type, MemorySegment data, int n) {
        float[] out = new float[n];
        decode(type, data, 0, out, 0, n);
        return out;
    }

    /** Decodes n values stored at byte offset srcOff (the start of a block) into dst[dstOff..]. */
    public static void decode(GgmlType type, MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        switch (type) {
            case F32 -> MemorySegment.copy(src, LittleEndian.FLOAT, srcOff, dst, dstOff, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = Float.float16ToFloat(src.get(LittleEndian.SHORT, srcOff + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = BFloat16.toFloat(src.get(LittleEndian.SHORT, srcOff + 2L * i));
                }
            }
            case Q8_0 -> Q8_0Blocks.dequantize(src, srcOff, dst, dstOff, n);
            case Q4_0 -> Q4_0Blocks.dequantize(src, srcOff, dst, dstOff, n);
            default -> throw unsupported(type);
        }
    }

    /**
     * Encodes src[srcOff .. srcOff+n) into the type's layout at byte offset dstOff of dst, rounding as llama.cpp's
     * reference converters do. n must be a multiple of the type's block size.
     */
    public static void encode(GgmlType type, float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        switch (type) {
            case F32 -> MemorySegment.copy(src, srcOff, dst, LittleEndian.FLOAT, dstOff, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(LittleEndian.SHORT, dstOff + 2L * i, Float.floatToFloat16(src[srcOff + i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(LittleEndian.SHORT, dstOff + 2L * i, BFloat16.fromFloat(src[srcOff + i]));
                }
            }
            case Q8_0 -> Q8_0Blocks.quantize(src, srcOff, n, dst, dstOff);
            case Q4_0 -> Q4_0Blocks.quantize(src, srcOff, n, dst, dstOff);
            default -> throw unsupported(type);
        }
    }

    private static IllegalArgumentException unsupported(GgmlType type) {
        return new IllegalArgumentException("tensor type " + type + " is not supported; supported: "
                + GgmlType.supportedNames());
    }
}
