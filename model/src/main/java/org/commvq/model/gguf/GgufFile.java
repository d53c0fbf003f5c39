package org.commvq.model.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.commvq.model.ModelFormatException;

/**
 * A GGUF model file, memory-mapped read-only. Opening validates the whole header (see {@link GgufParser}); tensor data
 * is not copied, so the tensors, their segments and matrices stay valid only until {@link #close()}. The mapping
 * uses a shared arena so that worker threads may read the weights.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment mapped;
    private final GgufHeader header;
    private final Map<String, GgufTensor> tensors;
    private final List<GgufTensor> tensorsInFileOrder;

    private GgufFile(Path path, Arena arena, MemorySegment mapped, GgufHeader header) {
        this.path = path;
        this.arena = arena;
        this.mapped = mapped;
        this.header = header;
        Map<String, GgufTensor> byName = new LinkedHashMap<>();
        for (GgufTensorInfo info : header.tensors()) {
            long start = header.dataOffset() + info.offset();
            byName.put(info.name(), new GgufTensor(path, info, start, mapped.asSlice(start, info.byteSize())));
        }
        this.tensors = Collections.unmodifiableMap(byName);
        this.tensorsInFileOrder = List.copyOf(byName.values());
    }

    public static GgufFile open(Path path) {
        if (Files.isDirectory(path)) {
            throw new ModelFormatException(path, "is a directory, expected a GGUF file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new GgufFile(path, arena, mapped, GgufParser.parse(mapped, path));
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(path, "cannot read the file: " + e, e);
        } catch (ModelFormatException e) {
            arena.close();
            throw e;
        } catch (RuntimeException | OutOfMemoryError e) {
            // The parser checks every read; this is the net under it, so no caller ever sees a raw exception.
            arena.close();
            throw new ModelFormatException(path, "malformed GGUF file: " + e, e);
        }
    }

    public Path path() {
        return path;
    }

    /** GGUF version, 2 or 3. */
    public int version() {
        return header.version();
    }

    public GgufMetadata metadata() {
        return header.metadata();
    }

    /** Alignment of the tensor data: general.alignment, or 32 when absent. */
    public long alignment() {
        return header.alignment();
    }

    /** Offset of the data section from the start of the file. */
    public long dataOffset() {
        return header.dataOffset();
    }

    public long fileSize() {
        return mapped.byteSize();
    }

    /** Tensors in file order. */
    public List<GgufTensor> tensors() {
        return tensorsInFileOrder;
    }

    public boolean hasTensor(String name) {
        return tensors.containsKey(name);
    }

    public Optional<GgufTensor> findTensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    public GgufTensor tensor(String name) {
        GgufTensor t = tensors.get(name);
        if (t == null) {
            throw new ModelFormatException(path, "missing tensor '" + name + "'");
        }
        return t;
    }

    /** Unmaps the file; every tensor, segment and matrix taken from it becomes unusable. */
    @Override
    public void close() {
        arena.close();
    }
}
