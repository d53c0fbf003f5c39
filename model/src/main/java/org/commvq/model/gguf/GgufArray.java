package org.commvq.model.gguf;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A GGUF metadata array: one element type and its values, kept in a primitive Java array of the matching width
 * (byte[] for uint8/int8, short[] for 16-bit, int[] for 32-bit, long[] for 64-bit integers, float[], double[],
 * boolean[], String[], or GgufArray[] for nested arrays) so that a 128k-token vocabulary costs no boxing. Unsigned
 * elements are stored by their bits and widened without sign on read.
 */
public final class GgufArray {
    private final GgufValueType elementType;
    private final Object values;
    private final int size;

    private GgufArray(GgufValueType elementType, Object values, int size) {
        this.elementType = elementType;
        this.values = values;
        this.size = size;
    }

    public static GgufArray ofUInt8(byte[] values) {
        return new GgufArray(GgufValueType.UINT8, values.clone(), values.length);
    }

    public static GgufArray ofInt8(byte[] values) {
        return new GgufArray(GgufValueType.INT8, values.clone(), values.length);
    }

    public static GgufArray ofUInt16(short[] values) {
        return new GgufArray(GgufValueType.UINT16, values.clone(), values.length);
    }

    public static GgufArray ofInt16(short[] values) {
        return new GgufArray(GgufValueType.INT16, values.clone(), values.length);
    }

    public static GgufArray ofUInt32(int[] values) {
        return new GgufArray(GgufValueType.UINT32, values.clone(), values.length);
    }

    public static GgufArray ofInt32(int[] values) {
        return new GgufArray(GgufValueType.INT32, values.clone(), values.length);
    }

    public static GgufArray ofUInt64(long[] values) {
        return new GgufArray(GgufValueType.UINT64, values.clone(), values.length);
    }

    public static GgufArray ofInt64(long[] values) {
        return new GgufArray(GgufValueType.INT64, values.clone(), values.length);
    }

    public static GgufArray ofFloat32(float[] values) {
        return new GgufArray(GgufValueType.FLOAT32, values.clone(), values.length);
    }

    public static GgufArray ofFloat64(double[] values) {
        return new GgufArray(GgufValueType.FLOAT64, values.clone(), values.length);
    }

    public static GgufArray ofBool(boolean[] values) {
        return new GgufArray(GgufValueType.BOOL, values.clone(), values.length);
    }

    public static GgufArray ofStrings(List<String> values) {
        String[] copy = values.toArray(String[]::new);
        for (String s : copy) {
            Objects.requireNonNull(s, "GGUF string arrays cannot hold null");
        }
        return new GgufArray(GgufValueType.STRING, copy, copy.length);
    }

    public static GgufArray ofArrays(List<GgufArray> values) {
        GgufArray[] copy = values.toArray(GgufArray[]::new);
        for (GgufArray a : copy) {
            Objects.requireNonNull(a, "GGUF nested arrays cannot hold null");
        }
        return new GgufArray(GgufValueType.ARRAY, copy, copy.length);
    }

    /** Wraps an array the reader filled, without copying; the caller guarantees the width matches the type. */
    static GgufArray wrap(GgufValueType elementType, Object values, int size) {
        return new GgufArray(elementType, values, size);
    }

    public GgufValueType elementType() {
        return elementType;
    }

    public int size() {
        return size;
    }

    /** Element i of an integer array, widened without sign for the unsigned types (uint64 keeps its raw bits). */
    public long getLong(int i) {
        return switch (elementType) {
            case UINT8 -> Byte.toUnsignedLong(((byte[]) values)[i]);
            case INT8 -> ((byte[]) values)[i];
            case UINT16 -> Short.toUnsignedLong(((short[]) values)[i]);
            case INT16 -> ((short[]) values)[i];
            case UINT32 -> Integer.toUnsignedLong(((int[]) values)[i]);
            case INT32 -> ((int[]) values)[i];
            case UINT64, INT64 -> ((long[]) values)[i];
            default -> throw new IllegalStateException("a " + this + " array has no integer elements");
        };
    }

    /** Element i of an integer or float array as a double (uint64 read without sign). */
    public double getDouble(int i) {
        return switch (elementType) {
            case FLOAT32 -> ((float[]) values)[i];
            case FLOAT64 -> ((double[]) values)[i];
            case UINT64 -> unsignedToDouble(((long[]) values)[i]);
            default -> getLong(i);
        };
    }

    public boolean getBoolean(int i) {
        return values(GgufValueType.BOOL, boolean[].class)[i];
    }

    public String getString(int i) {
        return values(GgufValueType.STRING, String[].class)[i];
    }

    public GgufArray getArray(int i) {
        return values(GgufValueType.ARRAY, GgufArray[].class)[i];
    }

    /** The strings of a string array, as a read-only view. */
    public List<String> strings() {
        return Collections.unmodifiableList(Arrays.asList(values(GgufValueType.STRING, String[].class)));
    }

    private <T> T values(GgufValueType expected, Class<T> arrayClass) {
        if (elementType != expected) {
            throw new IllegalStateException("a " + this + " array has no " + expected + " elements");
        }
        return arrayClass.cast(values);
    }

    static double unsignedToDouble(long bits) {
        return bits >= 0 ? bits : (bits >>> 1 | (bits & 1)) * 2.0;
    }

    /** The backing primitive array, for the writer; never handed out of the package. */
    Object rawValues() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufArray other && elementType == other.elementType
                && Arrays.deepEquals(new Object[] {values}, new Object[] {other.values});
    }

    @Override
    public int hashCode() {
        return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {values});
    }

    @Override
    public String toString() {
        return elementType + "[" + size + "]";
    }
}
