package org.commvq.cache.codebook.pt;

import java.util.Optional;

/** Element types of torch storages, by their legacy storage class name and their dtype name. */
public enum TorchDtype {
    FLOAT32("FloatStorage", "float32", 4),
    FLOAT64("DoubleStorage", "float64", 8),
    FLOAT16("HalfStorage", "float16", 2),
    BFLOAT16("BFloat16Storage", "bfloat16", 2),
    INT64("LongStorage", "int64", 8),
    INT32("IntStorage", "int32", 4),
    INT16("ShortStorage", "int16", 2),
    INT8("CharStorage", "int8", 1),
    UINT8("ByteStorage", "uint8", 1),
    BOOL("BoolStorage", "bool", 1);

    private final String storageClass;
    private final String dtypeName;
    private final int byteSize;

    TorchDtype(String storageClass, String dtypeName, int byteSize) {
        this.storageClass = storageClass;
        this.dtypeName = dtypeName;
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    public String storageClass() {
        return storageClass;
    }

    public String dtypeName() {
        return dtypeName;
    }

    public boolean floating() {
        return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
    }

    static Optional<TorchDtype> ofStorageClass(String name) {
        for (TorchDtype t : values()) {
            if (t.storageClass.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    static Optional<TorchDtype> ofDtypeName(String name) {
        for (TorchDtype t : values()) {
            if (t.dtypeName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
