package org.commvq.cache.codebook.pt;

/**
 * One storage blob of a checkpoint: numel elements of one dtype, little-endian, as {@code torch.save} wrote them to
 * {@code archive/data/KEY}.
 */
public final class TorchStorage {
    private final TorchDtype dtype;
    private final String key;
    private final long numel;
    private final byte[] bytes;

    TorchStorage(TorchDtype dtype, String key, long numel, byte[] bytes) {
        if (numel < 0 || numel * dtype.byteSize() != bytes.length) {
            throw new IllegalArgumentException("storage " + key + " of " + numel + " " + dtype.dtypeName()
                    + " elements needs " + numel * dtype.byteSize() + " bytes, the blob has " + bytes.length);
        }
        this.dtype = dtype;
        this.key = key;
        this.numel = numel;
        this.bytes = bytes;
    }

    public TorchDtype dtype() {
        return dtype;
    }

    public String key() {
        return key;
    }

    public long numel() {
        return numel;
    }

    /** Element i as a float (integers converted exactly where a float can hold them). */
    float floatAt(long i) {
        int at = Math.toIntExact(i * dtype.byteSize());
        return switch (dtype) {
            case FLOAT32 -> Float.intBitsToFloat(int32(at));
            case FLOAT64 -> (float) Double.longBitsToDouble(int64(at));
            case FLOAT16 -> Float.float16ToFloat((short) int16(at));
            case BFLOAT16 -> Float.intBitsToFloat(int16(at) << 16);
            default -> (float) longAt(i);
        };
    }

    /** Element i of an integer or bool storage. */
    long longAt(long i) {
        int at = Math.toIntExact(i * dtype.byteSize());
        return switch (dtype) {
            case INT64 -> int64(at);
            case INT32 -> int32(at);
            case INT16 -> (short) int16(at);
            case INT8 -> bytes[at];
            case UINT8, BOOL -> bytes[at] & 0xFF;
            default -> throw new IllegalStateException("storage " + key + " holds " + dtype.dtypeName() + ", not integers");
        };
    }

    private int int16(int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8;
    }

    private int int32(int at) {
        return int16(at) | int16(at + 2) << 16;
    }

    private long int64(int at) {
        return (int32(at) & 0xFFFFFFFFL) | (long) int32(at + 4) << 32;
    }
}
