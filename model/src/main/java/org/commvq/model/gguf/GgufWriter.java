package org.commvq.model.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.commvq.model.tensor.WeightMatrices;

/**
 * Writes GGUF v3 files. Metadata and tensors are declared first; {@link #write} then lays out the header and streams
 * every tensor's data, pulling float values from its {@link FloatSource} a chunk at a time and encoding them
 * (F32, F16, BF16, or quantized to Q8_0/Q4_0 with llama.cpp's reference quantizers), so memory use does not grow with
 * the model. The file appears atomically: it is written to a temporary file beside the target and renamed.
 */
public final class GgufWriter {
    /** Values pulled from a source per step: a multiple of every block size, small enough to stay in cache. */
    private static final int CHUNK = 1 << 16;

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private int version = 3;

    private record Pending(String name, GgmlType type, long[] dims, long elements, long byteSize, FloatSource source,
            MemorySegment raw) {
    }

    /** Sets the version field; only tests write version 2, whose layout is the same for little-endian files. */
    GgufWriter version(int version) {
        this.version = version;
        return this;
    }

    public GgufWriter put(String key, GgufValue value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.equals("general.alignment")) {
            checkAlignment(value);
        }
        metadata.put(key, value);
        return this;
    }

    /** Copies every entry of another file's metadata, e.g. to re-quantize a model. */
    public GgufWriter putAll(GgufMetadata other) {
        other.asMap().forEach(this::put);
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValue.ofString(value));
    }

    public GgufWriter putUInt32(String key, long value) {
        return put(key, GgufValue.ofUInt32(value));
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, GgufValue.ofInt32(value));
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValue.ofFloat32(value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValue.ofBool(value));
    }

    public GgufWriter putArray(String key, GgufArray value) {
        return put(key, GgufValue.ofArray(value));
    }

    /** Declares a tensor whose float values the source supplies at write time, encoded to {@code type}. */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, FloatSource source) {
        Objects.requireNonNull(source, "source");
        long elements = checkTensor(name, type, dims);
        return add(new Pending(name, type, dims.clone(), elements, type.byteSize(elements), source, null));
    }

    public GgufWriter addTensor(String name, GgmlType type, long[] dims, float[] values) {
        long elements = checkTensor(name, type, dims);
        if (values.length != elements) {
            throw new IllegalArgumentException("tensor '" + name + "' dims " + Arrays.toString(dims) + " hold "
                    + elements + " values, got " + values.length);
        }
        return addTensor(name, type, dims, FloatSource.of(values));
    }

    /** Declares a tensor whose bytes are already in the type's layout; they are copied unchanged. */
    public GgufWriter addRawTensor(String name, GgmlType type, long[] dims, MemorySegment bytes) {
        long elements = checkTensor(name, type, dims);
        long byteSize = type.byteSize(elements);
        if (bytes.byteSize() != byteSize) {
            throw new IllegalArgumentException("tensor '" + name + "' " + type + " " + Arrays.toString(dims)
                    + " needs " + byteSize + " bytes, got " + bytes.byteSize());
        }
        return add(new Pending(name, type, dims.clone(), elements, byteSize, null, bytes));
    }

    private GgufWriter add(Pending tensor) {
        if (!names.add(tensor.name())) {
            throw new IllegalArgumentException("duplicate tensor name '" + tensor.name() + "'");
        }
        tensors.add(tensor);
        return this;
    }

    /** Writes the file to a temporary sibling of target, forces it to disk, then renames it over target. */
    public void write(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path temp = Files.createTempFile(absolute.getParent(), absolute.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                GgufOutput out = new GgufOutput(channel);
                writeTo(out);
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private void writeTo(GgufOutput out) throws IOException {
        long alignment = alignment();
        out.writeInt(GgufParser.MAGIC);
        out.writeInt(version);
        out.writeLong(tensors.size());
        out.writeLong(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            out.writeString(e.getKey());
            out.writeInt(e.getValue().type().id());
            out.writeValue(e.getValue());
        }
        long offset = 0;
        long[] offsets = new long[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            Pending t = tensors.get(i);
            offsets[i] = offset;
            out.writeString(t.name());
            out.writeInt(t.dims().length);
            for (long d : t.dims()) {
                out.writeLong(d);
            }
            out.writeInt(t.type().id());
            out.writeLong(offset);
            offset = alignUp(offset + t.byteSize(), alignment);
        }
        long dataStart = alignUp(out.position(), alignment);
        for (int i = 0; i < tensors.size(); i++) {
            out.padTo(dataStart + offsets[i]);
            writeData(out, tensors.get(i));
        }
        // llama.cpp pads after every tensor, the last included, so the file ends on an aligned size.
        out.padTo(alignUp(out.position(), alignment));
    }

    private static void writeData(GgufOutput out, Pending t) throws IOException {
        if (t.raw() != null) {
            out.writeBytes(t.raw());
            return;
        }
        float[] values = new float[(int) Math.min(CHUNK, t.elements())];
        MemorySegment encoded = MemorySegment.ofArray(new byte[(int) t.type().byteSize(values.length)]);
        for (long first = 0; first < t.elements(); first += values.length) {
            int count = (int) Math.min(values.length, t.elements() - first);
            t.source().fill(first, values, count);
            WeightMatrices.encode(t.type(), values, 0, count, encoded, 0);
            out.writeBytes(encoded.asSlice(0, t.type().byteSize(count)));
        }
    }

    private long checkTensor(String name, GgmlType type, long[] dims) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (!type.isSupported()) {
            throw new IllegalArgumentException("tensor '" + name + "': type " + type + " is not supported;"
                    + " supported: " + GgmlType.supportedNames());
        }
        if (dims.length < 1 || dims.length > GgufLimits.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + dims.length + " dims, expected 1 to "
                    + GgufLimits.MAX_DIMS);
        }
        long elements = 1;
        for (long d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor '" + name + "' dims " + Arrays.toString(dims)
                        + " must be positive");
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "' is " + type + ", so its rows (dims[0] = "
                    + dims[0] + ") must be a multiple of " + type.blockSize());
        }
        return elements;
    }

    private long alignment() {
        GgufValue v = metadata.get("general.alignment");
        return v == null ? GgufLimits.DEFAULT_ALIGNMENT : (Long) v.value();
    }

    private static void checkAlignment(GgufValue v) {
        if (!v.type().isInteger() || (Long) v.value() <= 0 || (Long) v.value() > GgufLimits.MAX_ALIGNMENT
                || Long.bitCount((Long) v.value()) != 1) {
            throw new IllegalArgumentException("general.alignment must be an integer power of two up to "
                    + GgufLimits.MAX_ALIGNMENT + ", got " + v);
        }
    }

    private static long alignUp(long position, long alignment) {
        return (position + alignment - 1) / alignment * alignment;
    }
}
