package org.commvq.cache.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;

/**
 * A memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header, then the raw little-endian
 * tensor data. The header is validated on open; tensor data is served as slices of the mapping, so opening a large
 * checkpoint costs no copies.
 *
 * <p>Opened with {@link #open(Path)}, the file owns a shared arena that {@link #close()} releases. Opened with
 * {@link #open(Path, Arena)}, the mapping lives as long as the caller's arena, which lets weight matrices built on
 * these slices outlive this object.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Headers are small (a few hundred bytes per tensor); a larger length means a corrupt or hostile file. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena ownedArena;
    private final MemorySegment data;
    private final SafetensorsHeader header;

    private SafetensorsFile(Path path, Arena ownedArena, MemorySegment data, SafetensorsHeader header) {
        this.path = path;
        this.ownedArena = ownedArena;
        this.data = data;
        this.header = header;
    }

    public static SafetensorsFile open(Path path) {
        Arena arena = Arena.ofShared();
        try {
            return open(path, arena, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Maps the file into {@code arena}; {@link #close()} then leaves the mapping to the arena's owner. */
    public static SafetensorsFile open(Path path, Arena arena) {
        return open(path, arena, null);
    }

    private static SafetensorsFile open(Path path, Arena arena, Arena owned) {
        MemorySegment whole;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new TensorFileException(path, "file of " + size + " bytes is too short for a safetensors header");
            }
            whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (IOException e) {
            throw new TensorFileException(path, "cannot read file (" + e + ")", e);
        }
        long size = whole.byteSize();
        long headerLength = whole.get(I64, 0);
        if (headerLength < 0 || headerLength > size - 8) {
            throw new TensorFileException(path, "header length " + Long.toUnsignedString(headerLength)
                    + " exceeds the " + (size - 8) + " bytes after the length field");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new TensorFileException(path, "header length " + headerLength + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        byte[] json = whole.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        MemorySegment data = whole.asSlice(8 + headerLength);
        SafetensorsHeader header = SafetensorsHeader.parse(path, json, data.byteSize());
        return new SafetensorsFile(path, owned, data, header);
    }

    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public Set<String> tensorNames() {
        return header.tensors().keySet();
    }

    public boolean contains(String name) {
        return header.tensors().containsKey(name);
    }

    public Map<String, String> metadata() {
        return header.metadata();
    }

    public TensorInfo info(String name) {
        TensorInfo info = header.tensors().get(name);
        if (info == null) {
            throw new TensorFileException(path, "no tensor named '" + name + "'");
        }
        return info;
    }

    /** The tensor's raw little-endian bytes, read-only, valid while the mapping is. */
    public MemorySegment data(String name) {
        TensorInfo info = info(name);
        return data.asSlice(info.begin(), info.byteSize());
    }

    /** The tensor as floats, converting F16 and BF16; row-major order. */
    public float[] floats(String name) {
        TensorInfo info = info(name);
        MemorySegment src = data(name);
        int n = arrayLength(info);
        float[] out = new float[n];
        switch (info.dtype()) {
            case F32 -> MemorySegment.copy(src, F32, 0, out, 0, n);
            case F16 -> {
                short[] half = shorts(src, n);
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(half[i]);
                }
            }
            case BF16 -> {
                short[] bf = shorts(src, n);
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat(bf[i] << 16);
                }
            }
            default -> throw new TensorFileException(path, "tensor '" + name + "' is " + info.dtype()
                    + ", expected F32, F16 or BF16");
        }
        return out;
    }

    /** The tensor as ints, widening the narrower integer types (U8 and BOOL unsigned); row-major order. */
    public int[] ints(String name) {
        TensorInfo info = info(name);
        MemorySegment src = data(name);
        int n = arrayLength(info);
        int[] out = new int[n];
        switch (info.dtype()) {
            case I32 -> MemorySegment.copy(src, I32, 0, out, 0, n);
            case I16 -> {
                short[] s = shorts(src, n);
                for (int i = 0; i < n; i++) {
                    out[i] = s[i];
                }
            }
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = src.get(ValueLayout.JAVA_BYTE, i);
                }
            }
            case U8, BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Byte.toUnsignedInt(src.get(ValueLayout.JAVA_BYTE, i));
                }
            }
            case I64 -> {
                for (int i = 0; i < n; i++) {
                    long v = src.getAtIndex(I64, i);
                    if (v != (int) v) {
                        throw new TensorFileException(path, "tensor '" + name + "' element " + i + " = " + v
                                + " does not fit in an int");
                    }
                    out[i] = (int) v;
                }
            }
            default -> throw new TensorFileException(path, "tensor '" + name + "' is " + info.dtype()
                    + ", expected an integer type");
        }
        return out;
    }

    private static short[] shorts(MemorySegment src, int n) {
        short[] s = new short[n];
        MemorySegment.copy(src, I16, 0, s, 0, n);
        return s;
    }

    private int arrayLength(TensorInfo info) {
        long n = info.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new TensorFileException(path, "tensor '" + info.name() + "' has " + n
                    + " elements, too many for a Java array");
        }
        return (int) n;
    }

    @Override
    public void close() {
        if (ownedArena != null) {
            ownedArena.close();
        }
    }
}
