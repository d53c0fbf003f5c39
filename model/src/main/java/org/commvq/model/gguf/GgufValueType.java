package org.commvq.model.gguf;

import java.util.Optional;

/** The metadata value types of GGUF, with their on-disk ids. */
public enum GgufValueType {
    UINT8(0, 1, "uint8"),
    INT8(1, 1, "int8"),
    UINT16(2, 2, "uint16"),
    INT16(3, 2, "int16"),
    UINT32(4, 4, "uint32"),
    INT32(5, 4, "int32"),
    FLOAT32(6, 4, "float32"),
    BOOL(7, 1, "bool"),
    STRING(8, 8, "string"),
    ARRAY(9, 12, "array"),
    UINT64(10, 8, "uint64"),
    INT64(11, 8, "int64"),
    FLOAT64(12, 8, "float64");

    /** The ids are the ordinals. */
    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int minBytes;
    private final String specName;

    GgufValueType(int id, int minBytes, String specName) {
        this.id = id;
        this.minBytes = minBytes;
        this.specName = specName;
    }

    public int id() {
        return id;
    }

    /**
     * The fewest bytes one value of this type takes in a file: its size for fixed-size types, the length prefix for a
     * string, and the element type plus count for an array. Bounds element counts before anything is allocated.
     */
    int minBytes() {
        return minBytes;
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    public static Optional<GgufValueType> fromId(long id) {
        return id >= 0 && id < BY_ID.length ? Optional.of(BY_ID[(int) id]) : Optional.empty();
    }

    @Override
    public String toString() {
        return specName;
    }
}
