package org.commvq.model.gguf;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.commvq.model.ModelFormatException;

/**
 * Parses and validates a GGUF header (versions 2 and 3, little-endian). Every count is bounded by the bytes left in
 * the file before anything is allocated for it, and every tensor is checked to lie inside the file, aligned, of a
 * supported type and with a sane shape, so that the tensors handed out afterwards can be read without further checks.
 */
final class GgufParser {
    static final int MAGIC = 0x46554747;
    private static final int HEADER_BYTES = 4 + 4 + 8 + 8;

    private final Path path;
    private final GgufCursor in;
    private long metadataElements;

    private GgufParser(MemorySegment file, Path path) {
        this.path = path;
        this.in = new GgufCursor(file, path);
    }

    static GgufHeader parse(MemorySegment file, Path path) {
        return new GgufParser(file, path).header();
    }

    private GgufHeader header() {
        if (in.size() < HEADER_BYTES) {
            throw new ModelFormatException(path, "truncated file: a GGUF header needs " + HEADER_BYTES
                    + " bytes, the file has " + in.size());
        }
        int magic = in.readInt("magic");
        if (magic != MAGIC) {
            throw new ModelFormatException(path, "not a GGUF file: expected the magic bytes 'GGUF' (47 47 55 46),"
                    + " found " + hexBytes(magic));
        }
        int version = in.readInt("version");
        checkVersion(version);
        // The smallest tensor info (empty name, one dimension) takes 32 bytes, the smallest metadata entry 13.
        int tensorCount = in.readCount("tensor count", 8 + 4 + 8 + 4 + 8, GgufLimits.MAX_TENSORS);
        int metadataCount = in.readCount("metadata entry count", 8 + 4 + 1, GgufLimits.MAX_METADATA_ENTRIES);
        GgufMetadata metadata = metadata(metadataCount);
        long alignment = alignment(metadata);
        List<GgufTensorInfo> tensors = tensorInfos(tensorCount, alignment);
        long dataOffset = alignUp(in.position(), alignment);
        checkDataBounds(tensors, dataOffset);
        return new GgufHeader(version, metadata, tensors, alignment, dataOffset);
    }

    private void checkVersion(int version) {
        if (version == 2 || version == 3) {
            return;
        }
        int swapped = Integer.reverseBytes(version);
        if (swapped == 2 || swapped == 3) {
            throw new ModelFormatException(path, "big-endian GGUF (version " + swapped + ") is not supported;"
                    + " expected a little-endian GGUF file");
        }
        throw new ModelFormatException(path, "unsupported GGUF version " + Integer.toUnsignedString(version)
                + ", expected version 2 or 3");
    }

    private GgufMetadata metadata(int count) {
        Map<String, GgufValue> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            long at = in.position();
            String key = in.readString("key of metadata entry " + i, GgufLimits.MAX_KEY_BYTES);
            if (entries.containsKey(key)) {
                throw in.error(at, "duplicate metadata key '" + key + "'");
            }
            GgufValueType type = valueType(in.readInt("value type of metadata '" + key + "'"), key);
            entries.put(key, new GgufValue(type, value(type, key, 0)));
        }
        return new GgufMetadata(path, entries);
    }

    private GgufValueType valueType(int id, String key) {
        return GgufValueType.fromId(Integer.toUnsignedLong(id)).orElseThrow(() -> in.error(in.position() - 4,
                "metadata '" + key + "' has unknown value type " + Integer.toUnsignedString(id)
                        + ", expected 0..12"));
    }

    private Object value(GgufValueType type, String key, int depth) {
        String what = "metadata '" + key + "'";
        return switch (type) {
            case UINT8 -> (long) Byte.toUnsignedInt(in.readByte(what));
            case INT8 -> (long) in.readByte(what);
            case UINT16 -> (long) Short.toUnsignedInt(in.readShort(what));
            case INT16 -> (long) in.readShort(what);
            case UINT32 -> Integer.toUnsignedLong(in.readInt(what));
            case INT32 -> (long) in.readInt(what);
            case UINT64, INT64 -> in.readLong(what);
            case FLOAT32 -> Float.intBitsToFloat(in.readInt(what));
            case FLOAT64 -> Double.longBitsToDouble(in.readLong(what));
            case BOOL -> in.readByte(what) != 0;
            case STRING -> in.readString(what, GgufLimits.MAX_STRING_BYTES);
            case ARRAY -> array(key, depth);
        };
    }

    private GgufArray array(String key, int depth) {
        if (depth >= GgufLimits.MAX_ARRAY_NESTING) {
            throw in.error(in.position(), "metadata '" + key + "' nests arrays deeper than "
                    + GgufLimits.MAX_ARRAY_NESTING + " levels");
        }
        GgufValueType elementType = valueType(in.readInt("element type of array '" + key + "'"), key);
        String what = "array '" + key + "'";
        int n = in.readCount("length of " + what, elementType.minBytes(), GgufLimits.MAX_ARRAY_LENGTH);
        metadataElements += n;
        if (metadataElements > GgufLimits.MAX_METADATA_ELEMENTS) {
            throw in.error(in.position(), "metadata arrays hold more than " + GgufLimits.MAX_METADATA_ELEMENTS
                    + " elements in all (at '" + key + "')");
        }
        Object values = switch (elementType) {
            case UINT8, INT8 -> in.readBytes(n, what);
            case UINT16, INT16 -> in.readShorts(n, what);
            case UINT32, INT32 -> in.readInts(n, what);
            case UINT64, INT64 -> in.readLongs(n, what);
            case FLOAT32 -> in.readFloats(n, what);
            case FLOAT64 -> in.readDoubles(n, what);
            case BOOL -> booleans(in.readBytes(n, what));
            case STRING -> {
                String[] strings = new String[n];
                for (int i = 0; i < n; i++) {
                    strings[i] = in.readString("element " + i + " of " + what, GgufLimits.MAX_STRING_BYTES);
                }
                yield strings;
            }
            case ARRAY -> {
                GgufArray[] arrays = new GgufArray[n];
                for (int i = 0; i < n; i++) {
                    arrays[i] = array(key, depth + 1);
                }
                yield arrays;
            }
        };
        return GgufArray.wrap(elementType, values, n);
    }

    private static boolean[] booleans(byte[] bytes) {
        boolean[] out = new boolean[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] != 0;
        }
        return out;
    }

    private long alignment(GgufMetadata metadata) {
        if (!metadata.contains("general.alignment")) {
            return GgufLimits.DEFAULT_ALIGNMENT;
        }
        long alignment = metadata.getLong("general.alignment");
        if (alignment <= 0 || alignment > GgufLimits.MAX_ALIGNMENT || Long.bitCount(alignment) != 1) {
            throw new ModelFormatException(path, "general.alignment is " + alignment + ", expected a power of two"
                    + " between 1 and " + GgufLimits.MAX_ALIGNMENT);
        }
        return alignment;
    }

    private List<GgufTensorInfo> tensorInfos(int count, long alignment) {
        List<GgufTensorInfo> tensors = new ArrayList<>(count);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < count; i++) {
            long at = in.position();
            String name = in.readString("name of tensor " + i, GgufLimits.MAX_TENSOR_NAME_BYTES);
            if (!names.add(name)) {
                throw in.error(at, "duplicate tensor name '" + name + "'");
            }
            tensors.add(tensorInfo(name, alignment));
        }
        return tensors;
    }

    private GgufTensorInfo tensorInfo(String name, long alignment) {
        String what = "tensor '" + name + "'";
        long at = in.position();
        int rank = in.readInt("number of dimensions of " + what);
        if (rank < 1 || rank > GgufLimits.MAX_DIMS) {
            throw in.error(at, what + " has " + Integer.toUnsignedString(rank) + " dimensions, expected 1 to "
                    + GgufLimits.MAX_DIMS);
        }
        long[] dims = new long[rank];
        long elements = 1;
        for (int d = 0; d < rank; d++) {
            dims[d] = in.readLong("dimension " + d + " of " + what);
            if (dims[d] <= 0) {
                throw in.error(at, what + " has dimension " + d + " = " + Long.toUnsignedString(dims[d])
                        + ", expected a positive size");
            }
            elements = multiplyOrFail(elements, dims[d], at, what + " dims " + Arrays.toString(dims)
                    + " have more elements than a 64-bit count can hold");
        }
        long typeAt = in.position();
        int typeId = in.readInt("type of " + what);
        GgmlType type = GgmlType.fromId(Integer.toUnsignedLong(typeId)).orElseThrow(() -> in.error(typeAt,
                what + " has unknown ggml type id " + Integer.toUnsignedString(typeId) + "; supported types: "
                        + GgmlType.supportedNames()));
        if (!type.isSupported()) {
            throw in.error(typeAt, what + " has type " + type + " (id " + typeId + "), which is not supported;"
                    + " supported types: " + GgmlType.supportedNames());
        }
        if (dims[0] % type.blockSize() != 0) {
            throw in.error(at, what + " is " + type + " with rows of " + dims[0] + " values, expected a multiple"
                    + " of the block size " + type.blockSize());
        }
        long byteSize = multiplyOrFail(elements / type.blockSize(), type.blockBytes(), at,
                what + " dims " + Arrays.toString(dims) + " need more bytes than a 64-bit size can hold");
        long offsetAt = in.position();
        long offset = in.readLong("data offset of " + what);
        if (offset < 0) {
            throw in.error(offsetAt, what + " has data offset " + Long.toUnsignedString(offset)
                    + ", which lies outside the file (" + in.size() + " bytes)");
        }
        if (offset % alignment != 0) {
            throw in.error(offsetAt, what + " has data offset " + offset + ", expected a multiple of the alignment "
                    + alignment);
        }
        return new GgufTensorInfo(name, type, dims, elements, offset, byteSize);
    }

    /** Checks that every tensor's bytes lie inside the file and that no two tensors share bytes. */
    private void checkDataBounds(List<GgufTensorInfo> tensors, long dataOffset) {
        long fileSize = in.size();
        for (GgufTensorInfo t : tensors) {
            long start = dataOffset + t.offset();
            if (t.offset() > fileSize || start > fileSize || t.byteSize() > fileSize - start) {
                throw new ModelFormatException(path, "tensor '" + t.name() + "' (" + t.type() + " "
                        + Arrays.toString(t.dims()) + ", " + t.byteSize() + " bytes at data offset " + t.offset()
                        + ") extends past the end of the file: expected it within the " + fileSize
                        + " bytes of the file, whose data section starts at byte " + dataOffset
                        + " (truncated file or bad offset)");
            }
        }
        List<GgufTensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        for (int i = 1; i < byOffset.size(); i++) {
            GgufTensorInfo prev = byOffset.get(i - 1);
            GgufTensorInfo next = byOffset.get(i);
            if (next.offset() < prev.offset() + prev.byteSize()) {
                throw new ModelFormatException(path, "tensors '" + prev.name() + "' and '" + next.name()
                        + "' overlap: expected each tensor's data to start after the previous one ends (data offsets "
                        + prev.offset() + "+" + prev.byteSize() + " and " + next.offset() + ")");
            }
        }
    }

    private long multiplyOrFail(long a, long b, long at, String problem) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw in.error(at, problem);
        }
    }

    private static long alignUp(long position, long alignment) {
        return (position + alignment - 1) / alignment * alignment;
    }

    private static String hexBytes(int littleEndian) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", (littleEndian >>> (8 * i)) & 0xFF));
        }
        return sb.toString();
    }
}
