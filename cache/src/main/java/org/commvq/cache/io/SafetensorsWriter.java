package org.commvq.cache.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Collects named tensors and string metadata, then writes them as one safetensors file. The file appears atomically
 * (written beside the target, then renamed), so a reader never sees half a file. The layout follows the reference
 * implementation: {@code __metadata__} first, tensors ordered by element size (largest first) then name, so every
 * tensor starts aligned to its element size, and the header padded with spaces to a multiple of 8 bytes.
 *
 * <p>A tensor given without a shape is stored one-dimensional.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private record Pending(String name, SafetensorsDType dtype, long[] shape, byte[] bytes) {
    }

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Pending> tensors = new LinkedHashMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter f32(String name, float[] values, long... shape) {
        return add(name, SafetensorsDType.F32, shape, littleEndian(values.length * 4L, s ->
                MemorySegment.copy(values, 0, s, F32, 0, values.length)));
    }

    /** Stores the values rounded to IEEE half precision. */
    public SafetensorsWriter f16(String name, float[] values, long... shape) {
        short[] half = new short[values.length];
        for (int i = 0; i < half.length; i++) {
            half[i] = Float.floatToFloat16(values[i]);
        }
        return add(name, SafetensorsDType.F16, shape, shortBytes(half));
    }

    public SafetensorsWriter i32(String name, int[] values, long... shape) {
        return add(name, SafetensorsDType.I32, shape, littleEndian(values.length * 4L, s ->
                MemorySegment.copy(values, 0, s, I32, 0, values.length)));
    }

    public SafetensorsWriter i16(String name, short[] values, long... shape) {
        return add(name, SafetensorsDType.I16, shape, shortBytes(values));
    }

    public SafetensorsWriter u8(String name, byte[] values, long... shape) {
        return add(name, SafetensorsDType.U8, shape, values.clone());
    }

    /** A tensor of any type given as its raw little-endian bytes. */
    public SafetensorsWriter raw(String name, SafetensorsDType dtype, byte[] littleEndianBytes, long... shape) {
        return add(name, dtype, shape, littleEndianBytes.clone());
    }

    /** Writes the file; the target is replaced only once the complete file is on disk. */
    public void write(Path target) {
        List<Pending> ordered = new ArrayList<>(tensors.values());
        ordered.sort(Comparator.comparingInt((Pending p) -> -p.dtype().byteSize()).thenComparing(Pending::name));
        byte[] header = header(target, ordered);
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                byte[] length = new byte[8];
                MemorySegment.ofArray(length).set(I64, 0, header.length);
                out.write(length);
                out.write(header);
                for (Pending p : ordered) {
                    out.write(p.bytes());
                }
            }
            moveIntoPlace(tmp, target);
        } catch (IOException e) {
            throw new TensorFileException(target, "cannot write safetensors file (" + e + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // Best effort: the temporary name starts with a dot and is harmless if it stays.
                }
            }
        }
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private byte[] header(Path target, List<Pending> ordered) {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Pending p : ordered) {
            ObjectNode t = root.putObject(p.name());
            t.put("dtype", p.dtype().name());
            ArrayNode shape = t.putArray("shape");
            for (long d : p.shape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + p.bytes().length);
            offset += p.bytes().length;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new TensorFileException(target, "cannot encode header (" + e.getOriginalMessage() + ")", e);
        }
        int padded = (json.length + 7) & ~7;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private SafetensorsWriter add(String name, SafetensorsDType dtype, long[] shape, byte[] bytes) {
        if (name.isEmpty() || name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("invalid tensor name '" + name + "'");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        long[] dims = shape.length == 0 ? new long[] {bytes.length / dtype.byteSize()} : shape.clone();
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension " + d);
            }
            n = Math.multiplyExact(n, d);
        }
        if (Math.multiplyExact(n, dtype.byteSize()) != bytes.length) {
            throw new IllegalArgumentException("tensor '" + name + "' shape " + Arrays.toString(dims) + " holds " + n
                    + " " + dtype + " elements but " + bytes.length + " bytes were given");
        }
        tensors.put(name, new Pending(name, dtype, dims, bytes));
        return this;
    }

    private static byte[] shortBytes(short[] values) {
        return littleEndian(values.length * 2L, s ->
                MemorySegment.copy(values, 0, s, I16, 0, values.length));
    }

    private static byte[] littleEndian(long size, Consumer<MemorySegment> fill) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of " + size + " bytes is too large to buffer");
        }
        byte[] bytes = new byte[(int) size];
        fill.accept(MemorySegment.ofArray(bytes));
        return bytes;
    }
}
