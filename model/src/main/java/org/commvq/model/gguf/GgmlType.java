package org.commvq.model.gguf;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * ggml's tensor element types with their on-disk ids. All are listed so that an error can name the type a file uses;
 * only the ones with a block layout here can be read. Ids ggml has retired keep their old names for the same reason.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3),
    Q4_2(4),
    Q4_3(5),
    Q5_0(6),
    Q5_1(7),
    Q8_0(8, 32, 34),
    Q8_1(9),
    Q2_K(10),
    Q3_K(11),
    Q4_K(12),
    Q5_K(13),
    Q6_K(14),
    Q8_K(15),
    IQ2_XXS(16),
    IQ2_XS(17),
    IQ3_XXS(18),
    IQ1_S(19),
    IQ4_NL(20),
    IQ3_S(21),
    IQ2_S(22),
    IQ4_XS(23),
    I8(24),
    I16(25),
    I32(26),
    I64(27),
    F64(28),
    IQ1_M(29),
    BF16(30, 1, 2),
    Q4_0_4_4(31),
    Q4_0_4_8(32),
    Q4_0_8_8(33),
    TQ1_0(34),
    TQ2_0(35),
    IQ4_NL_4_4(36),
    IQ4_NL_4_8(37),
    IQ4_NL_8_8(38),
    MXFP4(39),
    NVFP4(40),
    Q1_0(41);

    private static final GgmlType[] BY_ID = byId();

    private final int id;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id) {
        this(id, 0, 0);
    }

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    public int id() {
        return id;
    }

    /** Whether tensors of this type can be read and written. */
    public boolean isSupported() {
        return blockSize > 0;
    }

    /** Elements per block: 1 for the float types, 32 for Q8_0 and Q4_0. */
    public int blockSize() {
        requireSupported();
        return blockSize;
    }

    public int blockBytes() {
        requireSupported();
        return blockBytes;
    }

    /** Bytes that {@code elements} values occupy; elements must be a multiple of the block size. */
    public long byteSize(long elements) {
        requireSupported();
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(name() + " stores whole blocks of " + blockSize + " values, got "
                    + elements);
        }
        return Math.multiplyExact(elements / blockSize, (long) blockBytes);
    }

    public static Optional<GgmlType> fromId(long id) {
        return id >= 0 && id < BY_ID.length ? Optional.ofNullable(BY_ID[(int) id]) : Optional.empty();
    }

    /** The supported type names, for error messages. */
    public static String supportedNames() {
        return Arrays.stream(values()).filter(GgmlType::isSupported).map(Enum::name)
                .collect(Collectors.joining(", "));
    }

    private void requireSupported() {
        if (!isSupported()) {
            throw new UnsupportedOperationException("tensor type " + name() + " is not supported; supported: "
                    + supportedNames());
        }
    }

    private static GgmlType[] byId() {
        int max = Arrays.stream(values()).mapToInt(GgmlType::id).max().orElseThrow();
        GgmlType[] table = new GgmlType[max + 1];
        for (GgmlType type : values()) {
            table[type.id] = type;
        }
        return table;
    }
}
