package org.commvq.model.gguf;

import java.util.Objects;

/**
 * One metadata value with its GGUF type. Integers of every width are held as a Long (unsigned ones by value, uint64
 * by its raw bits), float32 as Float, float64 as Double, bool as Boolean, string as String, array as
 * {@link GgufArray}.
 */
public record GgufValue(GgufValueType type, Object value) {
    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        Class<?> expected = switch (type) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> Long.class;
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> GgufArray.class;
        };
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException("a GGUF " + type + " value must be a " + expected.getSimpleName()
                    + ", got " + value.getClass().getSimpleName());
        }
        if (value instanceof Long l) {
            checkRange(type, l);
        }
    }

    public static GgufValue ofUInt8(int v) {
        return new GgufValue(GgufValueType.UINT8, (long) v);
    }

    public static GgufValue ofInt8(int v) {
        return new GgufValue(GgufValueType.INT8, (long) v);
    }

    public static GgufValue ofUInt16(int v) {
        return new GgufValue(GgufValueType.UINT16, (long) v);
    }

    public static GgufValue ofInt16(int v) {
        return new GgufValue(GgufValueType.INT16, (long) v);
    }

    public static GgufValue ofUInt32(long v) {
        return new GgufValue(GgufValueType.UINT32, v);
    }

    public static GgufValue ofInt32(int v) {
        return new GgufValue(GgufValueType.INT32, (long) v);
    }

    /** v is taken as the raw 64 bits, so values above Long.MAX_VALUE are passed as negative longs. */
    public static GgufValue ofUInt64(long v) {
        return new GgufValue(GgufValueType.UINT64, v);
    }

    public static GgufValue ofInt64(long v) {
        return new GgufValue(GgufValueType.INT64, v);
    }

    public static GgufValue ofFloat32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    public static GgufValue ofFloat64(double v) {
        return new GgufValue(GgufValueType.FLOAT64, v);
    }

    public static GgufValue ofBool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    public static GgufValue ofString(String v) {
        return new GgufValue(GgufValueType.STRING, v);
    }

    public static GgufValue ofArray(GgufArray v) {
        return new GgufValue(GgufValueType.ARRAY, v);
    }

    private static void checkRange(GgufValueType type, long v) {
        long min;
        long max;
        switch (type) {
            case UINT8 -> {
                min = 0;
                max = 0xFF;
            }
            case INT8 -> {
                min = Byte.MIN_VALUE;
                max = Byte.MAX_VALUE;
            }
            case UINT16 -> {
                min = 0;
                max = 0xFFFF;
            }
            case INT16 -> {
                min = Short.MIN_VALUE;
                max = Short.MAX_VALUE;
            }
            case UINT32 -> {
                min = 0;
                max = 0xFFFF_FFFFL;
            }
            case INT32 -> {
                min = Integer.MIN_VALUE;
                max = Integer.MAX_VALUE;
            }
            default -> {
                return;
            }
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(v + " does not fit a GGUF " + type + " (" + min + ".." + max + ")");
        }
    }

    @Override
    public String toString() {
        if (type == GgufValueType.UINT64) {
            return Long.toUnsignedString((Long) value) + " (uint64)";
        }
        return value + " (" + type + ")";
    }
}
